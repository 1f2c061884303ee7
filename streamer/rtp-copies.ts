// One parsed RTP packet, many senders. werift's RTP header parser is slow (it reads bit fields through
// strings), and every werift sender rewrites the header it is handed (SSRC, payload type, sequence number,
// timestamp, extensions) and keeps it for retransmission. So the fan-out parses each packet once and hands
// every player its own copy of the header over the shared payload, which nothing writes to.
import { RtpHeader, RtpPacket } from 'werift';

/** A packet whose header can be rewritten without touching `packet`'s; the payload bytes are shared. */
export function headerCopy(packet: RtpPacket): RtpPacket {
  const h = packet.header;
  return new RtpPacket(
    new RtpHeader({
      ...h,
      csrc: [...h.csrc],
      extensions: h.extensions.map((e) => ({ ...e })),
    }),
    packet.payload,
  );
}

/**
 * Parses `data` once; each call of the returned function gives a fresh copy (see `headerCopy`), and
 * `parsed` is the packet itself, for readers that never write to it.
 */
export function copiesOf(data: Buffer): (() => RtpPacket) & { parsed: RtpPacket } {
  const parsed = RtpPacket.deSerialize(data);
  return Object.assign(() => headerCopy(parsed), { parsed });
}
