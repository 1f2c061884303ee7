// werift listens for DTLS only once its own side of ICE has finished (RTCDtlsTransport.start runs after
// the controlling agent's nomination completes). The browser is the DTLS client: it sends its ClientHello
// as soon as *its* ICE is connected, which is often first, so werift dropped that record and the browser
// sent it again only after its retransmission back-off — measured 0.3–1 s of a first frame spent
// waiting. This keeps the DTLS records that arrive early and hands them to werift's DTLS socket the moment
// it exists, so the handshake starts with the first ClientHello.
import type { RTCPeerConnection } from 'werift';

/** Records kept per transport before werift listens: a ClientHello and its retransmissions. */
const MAX_EARLY_RECORDS = 8;

/** A DTLS record by its first byte (RFC 7983 demultiplexing: 20–63). */
export function isDtlsRecord(data: Buffer): boolean {
  const first = data[0];
  return first !== undefined && first >= 20 && first <= 63;
}

/** Call once the transports exist (after adding transceivers and the data channel), before connecting. */
export function keepEarlyDtls(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) {
    const early: Buffer[] = [];
    const received = transport.iceTransport.connection.onData.subscribe((data) => {
      if (transport.dtls === undefined && isDtlsRecord(data) && early.length < MAX_EARLY_RECORDS)
        early.push(data);
    });
    const started = transport.onStateChange.subscribe((state) => {
      if (state === 'new') return;
      started.unSubscribe();
      received.unSubscribe();
      if (state !== 'connecting') return;
      // 'connecting' is announced just before start() creates the DTLS socket, in the same tick.
      queueMicrotask(() => {
        const deliver = transport.dtls?.transport.socket.onData as ((data: Buffer) => void) | undefined;
        for (const data of early.splice(0)) deliver?.(data);
      });
    });
  }
}
