// What a player's browser sends back over RTCP, opened before werift parses it. Chromium sends a compound
// packet about five times a second per player, nearly all a receiver report with a REMB bitrate estimate
// (it sends REMB whatever the offer says), and werift decrypted (a fresh Node decipher each), parsed and
// routed each one through JavaScript that runs too rarely to be optimized: ~200 µs a packet, the largest
// share of what an idle extra player cost the streamer. The streamer acts on none of that: every player
// shares one fixed-bitrate encode, and nothing reads werift's round-trip or loss statistics.
//
// With the native addon, each player's SRTCP session keeps one AES-GCM context (srtp-send.ts), and a
// compound of only receiver reports, source descriptions and REMB reaches werift at most once every
// `statsEveryMs` (so its statistics stay current); anything else (NACK, PLI, FIR, sender reports from a
// camera, BYE, anything unknown or malformed) reaches werift at once, as before.
import { SrtpAuthenticationError } from 'werift';
import type { SrtcpReceiver, SrtpSendAddon } from './srtp-send.js';

/** RFC 7714's AEAD_AES_128_GCM, the SRTP profile the addon opens; others keep werift's path. */
const PROFILE_AEAD_AES_128_GCM = 0x0007;
const RTCP_RR = 201;
const RTCP_SDES = 202;
const RTCP_PSFB = 206;
/** FMT of an application-layer feedback message (PSFB): REMB is one. */
const PSFB_AFB = 15;

/**
 * Whether an RTCP compound holds anything besides receiver reports, source descriptions and REMB, i.e.
 * something the streamer or werift acts on. A compound that cannot be walked is passed on (werift decides).
 */
export function rtcpNeedsAction(compound: Buffer): boolean {
  if (compound.length === 0) return false;
  let at = 0;
  while (at < compound.length) {
    if (at + 4 > compound.length) return true;
    const type = compound[at + 1]!;
    const fmt = compound[at]! & 0x1f;
    const ignorable = type === RTCP_RR || type === RTCP_SDES || (type === RTCP_PSFB && fmt === PSFB_AFB);
    if (!ignorable) return true;
    at += (compound.readUInt16BE(at + 2) + 1) * 4;
  }
  return at !== compound.length;
}

/** The parts of werift's DTLS transport and SRTCP session this reads and replaces. */
interface SrtcpSessionInternals {
  config: { profile: number };
  remoteContext: { cipher: { srtcpSessionKey: Buffer; srtcpSessionSalt: Buffer } };
  decrypt: (packet: Buffer) => Buffer;
}
interface DtlsTransportInternals {
  srtcp?: SrtcpSessionInternals;
  updateSrtpSession(): void;
}

const NOTHING = Buffer.alloc(0);

/**
 * Opens `transport`'s SRTCP with the addon from its next SRTP session on (werift makes one when DTLS
 * completes), keeping werift's own decryption for a profile other than AES-GCM.
 */
export function installRtcpIntake(
  transport: unknown,
  addon: SrtpSendAddon,
  statsEveryMs = 5_000,
  now: () => number = () => performance.now(),
): void {
  const dtls = transport as DtlsTransportInternals;
  const update = dtls.updateSrtpSession.bind(dtls);
  dtls.updateSrtpSession = () => {
    update();
    const srtcp = dtls.srtcp;
    if (!srtcp || srtcp.config.profile !== PROFILE_AEAD_AES_128_GCM) return;
    const { srtcpSessionKey, srtcpSessionSalt } = srtcp.remoteContext.cipher;
    const receiver: SrtcpReceiver = addon.rtcpReceiver(srtcpSessionKey, srtcpSessionSalt.subarray(0, 12));
    let statsAt = -Infinity;
    srtcp.decrypt = (packet) => {
      const compound = addon.openRtcp(receiver, packet);
      if (!compound) throw new SrtpAuthenticationError('Failed to authenticate SRTCP packet');
      if (rtcpNeedsAction(compound)) return compound;
      const t = now();
      if (t - statsAt < statsEveryMs) return NOTHING;
      statsAt = t;
      return compound;
    };
  };
}
