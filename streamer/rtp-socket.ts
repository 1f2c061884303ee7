// One UDP socket receiving RTP from an encoder. RTCP and anything that is not RTP v2 is dropped here, so
// only media reaches the shared track.
import { createSocket, type Socket } from 'node:dgram';

export interface RtpSocket {
  readonly port: number;
  onPacket(listener: (packet: Buffer) => void): void;
  close(): Promise<void>;
}

/** True for an RTP (not RTCP) packet: version 2, and a payload type outside RTCP's 72–76 (200–204 with the marker bit). */
export function isRtpMedia(packet: Buffer): boolean {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return false;
  const pt = packet[1]! & 0x7f;
  return pt < 72 || pt > 76;
}

/** Binds `host:port` (0 = any free port) and resolves once listening. */
export function openRtpSocket(host: string, port: number): Promise<RtpSocket> {
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const listeners: ((p: Buffer) => void)[] = [];
  socket.on('message', (msg) => {
    if (!isRtpMedia(msg)) return;
    for (const l of listeners) l(msg);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        port: socket.address().port,
        onPacket: (l) => void listeners.push(l),
        close: () => new Promise<void>((r) => socket.close(() => r())),
      });
    });
  });
}
