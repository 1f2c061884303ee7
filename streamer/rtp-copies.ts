// A private header over a shared payload. werift's own `sendRtp` rewrites the header object it is handed
// (SSRC, payload type, sequence number, timestamp, extensions) and keeps it for retransmission; the packets
// the lean sender leaves to it (lean-rtp-sender.ts) are shared by every player, so werift gets a copy.
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
