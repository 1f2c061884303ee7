// A leaner `sendRtp` for werift's RTCRtpSender, installed per sender from our side (werift is not patched):
// every player's copy of every packet used to go through werift's general path, which rewrites the header
// object it is handed (so the fan-out had to copy it per player), rebuilds the extension list with
// map/filter/find/sort, reads the NTP clock through string parsing, serializes the header bit by bit,
// keeps a parsed packet for retransmission, and encrypts and sends through seven nested async functions.
// This one writes the player's header from a per-sender template and leaves the packet it is handed
// untouched, so all players share one parsed packet. On a plain UDP candidate pair the native addon
// (srtp-send.ts) seals it under the player's long-lived AES-GCM context into a batch that leaves as one
// sendmsg per frame; without the addon (or on a TURN or TCP pair) the packet is sealed with a Node cipher
// and handed to the pair's UDP socket, or to werift's ICE send, directly. The video and
// audio senders of a player both use it, so their RTCP sender reports read the same (correct) NTP clock. werift's own bookkeeping is kept (sequence/timestamp offsets for source changes, the counters
// and NTP/RTP pair its RTCP sender reports use, the retransmission cache, bandwidth-estimation records).
// Packets it does not handle (padding, CSRCs, header extensions of their own, RED, simulcast ids, a
// non-GCM SRTP profile) go through werift's path on a private header copy, as before.
import { createCipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { RtpHeader, RtpPacket, type MediaStreamTrack, type RTCRtpSender } from 'werift';
import { headerCopy } from './rtp-copies.js';
import { directSocket, sendTarget, type SendTarget } from './send-target.js';
import { socketFd, type SrtpChannel, type SrtpSendAddon } from './srtp-send.js';

/** RFC 7714 AEAD_AES_128_GCM, the profile werift and browsers pick first. */
const PROFILE_AEAD_AES_128_GCM = 0x0007;
const GCM_TAG_LENGTH = 16;
/** werift keeps this many sent packets for NACKs (its RTP_HISTORY_SIZE). */
const RTP_HISTORY_SIZE = 128;
const URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  transportWideCC: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  rrid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
} as const;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

// The parts of werift's sender, DTLS transport and SRTP context this path reads and keeps up to date. They
// are plain properties at run time; werift's typings mark most of them private.
interface SrtpContextInternals {
  profile: number;
  cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer };
  getSrtpSsrcState(ssrc: number): { rolloverCounter: number };
  updateRolloverCount(sequenceNumber: number, state: { rolloverCounter: number }): void;
}
interface CandidatePairInternals {
  remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
  protocol: { type: string; transport?: { closed?: boolean; socket?: { type?: string } } };
}
interface IceConnectionInternals {
  state: string;
  nominated?: CandidatePairInternals;
  send(data: Buffer): Promise<void>;
}
interface DtlsInternals {
  state: string;
  srtp?: { localContext: SrtpContextInternals };
  transportSequenceNumber: number;
  bytesSent: number;
  packetsSent: number;
  iceTransport: { connection: IceConnectionInternals };
}
interface SenderInternals {
  ssrc: number;
  codec?: { payloadType: number };
  mid?: string;
  rtpStreamId?: string;
  repairedRtpStreamId?: string;
  redRedundantPayloadType?: number;
  headerExtensions: { uri: string; id: number }[];
  dtlsTransport: DtlsInternals;
  seqOffset: number;
  timestampOffset: number;
  sequenceNumber?: number;
  timestamp?: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  rtpCache: unknown[];
  rtcpRunning: boolean;
  runRtcp(): Promise<void>;
  senderBWE: {
    rtpPacketSent(info: { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number }): void;
  };
  sendRtp(rtp: Buffer | RtpPacket): Promise<void>;
}

/** The one-byte-form extension block every packet of a sender carries, with the offsets of its variable parts. */
export interface ExtensionTemplate {
  /** 0xBEDE, length, then the elements, padded to 4 bytes; `undefined` when the sender has no extensions. */
  bytes: Buffer | undefined;
  /** Offset in `bytes` of the 2-byte transport-wide sequence number, or -1. */
  transportWideCC: number;
  /** Offset in `bytes` of the 3-byte abs-send-time, or -1. */
  absSendTime: number;
}

/**
 * The extension block werift would write for a sender with these negotiated extensions (sorted by id,
 * one-byte form): MID, transport-wide sequence number, abs-send-time. `undefined` if the sender needs
 * something this path does not write (ids or values too large for the one-byte form, stream ids).
 */
export function extensionTemplate(
  extensions: readonly { uri: string; id: number }[],
  mid: string | undefined,
): ExtensionTemplate | undefined {
  const elements: { id: number; value: Buffer; role?: 'transportWideCC' | 'absSendTime' }[] = [];
  for (const e of [...extensions].sort((a, b) => a.id - b.id)) {
    if (e.uri === URI.mid && mid) elements.push({ id: e.id, value: Buffer.from(mid) });
    else if (e.uri === URI.transportWideCC)
      elements.push({ id: e.id, value: Buffer.alloc(2), role: 'transportWideCC' });
    else if (e.uri === URI.absSendTime)
      elements.push({ id: e.id, value: Buffer.alloc(3), role: 'absSendTime' });
  }
  if (elements.some((e) => e.id < 1 || e.id > 14 || e.value.length < 1 || e.value.length > 16))
    return undefined;
  if (elements.length === 0) return { bytes: undefined, transportWideCC: -1, absSendTime: -1 };
  const body = elements.reduce((n, e) => n + 1 + e.value.length, 0);
  const bytes = Buffer.alloc(4 + Math.ceil(body / 4) * 4);
  bytes.writeUInt16BE(0xbede, 0);
  bytes.writeUInt16BE(Math.ceil(body / 4), 2);
  const template: ExtensionTemplate = { bytes, transportWideCC: -1, absSendTime: -1 };
  let at = 4;
  for (const e of elements) {
    bytes[at++] = (e.id << 4) | (e.value.length - 1);
    if (e.role) template[e.role] = at;
    e.value.copy(bytes, at);
    at += e.value.length;
  }
  return template;
}

/** Now as a 64-bit NTP timestamp (seconds since 1900 . 32-bit fraction). */
export function ntpNow(nowMs = performance.timeOrigin + performance.now()): bigint {
  const seconds = Math.floor(nowMs / 1000);
  const fraction = Math.floor(((nowMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_UNIX_OFFSET_S) << 32n) | BigInt(fraction);
}

/** A sent packet as werift's NACK handler reads it back from the cache: the header is parsed only then. */
class SentPacket {
  private parsed: RtpHeader | undefined;
  constructor(
    private readonly headerBytes: Buffer,
    readonly payload: Buffer,
  ) {}
  get header(): RtpHeader {
    return (this.parsed ??= RtpHeader.deSerialize(this.headerBytes));
  }
}

/** Per-SRTP-session state: the key object and the salt XOR the sender's SSRC (RFC 7714 §8.1). */
export interface GcmState {
  key: KeyObject;
  /** 12-byte IV with the salt and SSRC folded in; ROC and sequence number are XORed per packet. */
  iv: Buffer;
  /** Scratch for the per-packet IV (the cipher copies it). */
  packetIv: Buffer;
}

/** The GCM state of one SSRC under an SRTP session key and salt. */
export function gcmState(sessionKey: Buffer, sessionSalt: Buffer, ssrc: number): GcmState {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  for (let i = 0; i < 12; i++) iv[i]! ^= sessionSalt[i]!;
  return { key: createSecretKey(sessionKey), iv, packetIv: Buffer.alloc(12) };
}

/**
 * SRTP with AEAD_AES_128_GCM (RFC 7714): `out` holds the RTP header in its first `headerLength` bytes and
 * room for the payload and the 16-byte tag after it. The header is authenticated, the payload encrypted.
 */
export function sealGcm(
  state: GcmState,
  rolloverCounter: number,
  seq: number,
  out: Buffer,
  headerLength: number,
  payload: Buffer,
): void {
  const iv = state.packetIv;
  state.iv.copy(iv);
  iv[6]! ^= rolloverCounter >>> 24;
  iv[7]! ^= (rolloverCounter >>> 16) & 0xff;
  iv[8]! ^= (rolloverCounter >>> 8) & 0xff;
  iv[9]! ^= rolloverCounter & 0xff;
  iv[10]! ^= seq >>> 8;
  iv[11]! ^= seq & 0xff;
  const cipher = createCipheriv('aes-128-gcm', state.key, iv);
  cipher.setAAD(out.subarray(0, headerLength));
  cipher.update(payload).copy(out, headerLength);
  cipher.final();
  cipher.getAuthTag().copy(out, headerLength + payload.length);
}

const noop = () => undefined;

/** Channels with packets batched this turn, and their targets: a batch is sent only while its socket is open. */
const pendingFlush = new Map<SrtpChannel, { addon: SrtpSendAddon; target: SendTarget }>();
let flushScheduled = false;
function flushPending(): void {
  flushScheduled = false;
  for (const [channel, { addon, target }] of pendingFlush) if (!target.closed()) addon.flush(channel);
  pendingFlush.clear();
}

/**
 * Sends on the nominated pair. werift's ICE send goes through four nested async functions (a promise
 * each) that end in one `socket.send` for a plain UDP pair; that pair gets the `socket.send` directly (with
 * werift's pair counters kept), any other (TURN relay, TCP) werift's path.
 */
function sendOnNominatedPair(connection: IceConnectionInternals, data: Buffer): void {
  const pair = connection.nominated;
  const socket =
    pair && connection.state !== 'closed' && connection.state !== 'failed' ? directSocket(pair) : null;
  if (!pair || !socket || pair.protocol.transport?.closed) {
    connection.send(data).then(noop, noop);
    return;
  }
  socket.send(data, pair.remoteAddr[1], pair.remoteAddr[0]);
  pair.packetsSent++;
  pair.bytesSent += data.length;
}
const done = Promise.resolve();

/** Packets sent by the lean path and by werift's own (see the module comment for which). */
export interface LeanSenderCounts {
  lean: number;
  /** Of the lean ones, those the native addon sealed and sent. */
  native: number;
  fallback: number;
}

/** The lean send behind each track whose sender has one, and who watches what it is handed. */
interface LeanTrackSend {
  send: (rtp: RtpPacket) => void;
  observers: Set<(rtp: RtpPacket) => void>;
}
const leanSends = new WeakMap<MediaStreamTrack, LeanTrackSend>();

/**
 * The lean send of the sender `track` was given to, for callers that hand each packet to many tracks:
 * werift's `track.writeRtp` reaches the same function through its event dispatch, two promises per packet
 * and player on the way. Undefined for a track whose sender has no lean path.
 */
export function leanSendOf(track: MediaStreamTrack): ((rtp: RtpPacket) => void) | undefined {
  return leanSends.get(track)?.send;
}

/**
 * Calls `observer` with every packet handed to `track`'s sender, whether straight to its lean send or
 * through werift's track event, until the returned function is called.
 */
export function observeSent(track: MediaStreamTrack, observer: (rtp: RtpPacket) => void): () => void {
  const lean = leanSends.get(track);
  lean?.observers.add(observer);
  const event = track.onReceiveRtp.subscribe(observer);
  return () => {
    lean?.observers.delete(observer);
    event.unSubscribe();
  };
}

/**
 * Replaces `sender.sendRtp` with the lean path. It never writes to the packets it is handed, so one parsed
 * packet can go to every player.
 */
export function installLeanSender(sender: RTCRtpSender, addon?: SrtpSendAddon): LeanSenderCounts {
  const counts: LeanSenderCounts = { lean: 0, native: 0, fallback: 0 };
  const s = sender as unknown as SenderInternals;
  const original = s.sendRtp.bind(s);
  let template: ExtensionTemplate | undefined | null = null;
  let frameTimestamp = -1;
  // Decided once per SRTP session (a DTLS restart brings a new one): GCM state, or undefined for werift's path.
  let session: SrtpContextInternals | undefined;
  let gcm: GcmState | undefined;
  function gcmFor(context: SrtpContextInternals | undefined): GcmState | undefined {
    if (context === session) return gcm;
    session = context;
    gcm =
      context?.profile === PROFILE_AEAD_AES_128_GCM
        ? gcmState(context.cipher.srtpSessionKey, context.cipher.srtpSessionSalt, s.ssrc)
        : undefined;
    return gcm;
  }
  // The native channel of the current pair and SRTP session, opened on first use. Without a target (no
  // UDP socket, a TURN peer with no channel bound yet, a binding being refreshed) packets take the
  // JavaScript path, and the target is looked for again a second later.
  let route:
    | {
        pair: CandidatePairInternals;
        context: SrtpContextInternals;
        native: { channel: SrtpChannel; target: SendTarget } | null;
        retryAt: number;
      }
    | undefined;
  function nativeRoute(
    connection: IceConnectionInternals,
    context: SrtpContextInternals,
  ): { channel: SrtpChannel; target: SendTarget } | null {
    const pair = connection.nominated;
    if (!addon || !pair || connection.state === 'closed' || connection.state === 'failed') return null;
    const now = Date.now() / 1000;
    if (route?.pair !== pair || route.context !== context || (!route.native && now >= route.retryAt)) {
      const target = sendTarget(pair);
      const fd = target ? socketFd(target.socket) : undefined;
      const native =
        target && fd !== undefined
          ? {
              target,
              channel: addon.open(
                fd,
                isIP(target.address) === 6 ? 6 : 4,
                target.address,
                target.port,
                context.cipher.srtpSessionKey,
                context.cipher.srtpSessionSalt.subarray(0, 12),
                true,
                target.turnChannel,
              ),
            }
          : null;
      route = { pair, context, native, retryAt: now + 1 };
    }
    if (route.native && !route.native.target.usable(now)) {
      route.native = null;
      route.retryAt = now + 1;
    }
    return route.native;
  }

  s.sendRtp = (input) => {
    const dtls = s.dtlsTransport;
    if (dtls.state !== 'connected' || !s.codec) return done;
    const rtp = Buffer.isBuffer(input) ? RtpPacket.deSerialize(input) : input;
    const h = rtp.header;
    if (template === null) template = extensionTemplate(s.headerExtensions, s.mid);
    const context = dtls.srtp?.localContext;
    const state = gcmFor(context);
    if (
      !context ||
      !state ||
      !template ||
      h.padding ||
      h.csrc.length > 0 ||
      h.extensions.length > 0 ||
      s.redRedundantPayloadType ||
      s.rtpStreamId ||
      s.repairedRtpStreamId
    ) {
      counts.fallback++;
      return original(headerCopy(rtp));
    }
    counts.lean++;
    const seq = (h.sequenceNumber + s.seqOffset) & 0xffff;
    const timestamp = (h.timestamp + s.timestampOffset) >>> 0;
    s.sequenceNumber = seq;
    s.timestamp = timestamp;
    // One clock reading per frame: its packets leave together, and the RTCP sender report pairs it with
    // the frame's RTP timestamp.
    if (timestamp !== frameTimestamp) {
      frameTimestamp = timestamp;
      s.ntpTimestamp = ntpNow();
      s.rtpTimestamp = timestamp;
    }
    const ext = template.bytes;
    const headerLength = 12 + (ext?.length ?? 0);
    const payload = rtp.payload;
    const header = Buffer.allocUnsafe(headerLength);
    header[0] = ext ? 0x90 : 0x80;
    header[1] = (h.marker ? 0x80 : 0) | s.codec.payloadType;
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(timestamp, 4);
    header.writeUInt32BE(s.ssrc, 8);
    let wideSeq = -1;
    if (ext) {
      ext.copy(header, 12);
      if (template.transportWideCC >= 0) {
        wideSeq = dtls.transportSequenceNumber = (dtls.transportSequenceNumber + 1) & 0xffff;
        header.writeUInt16BE(wideSeq, 12 + template.transportWideCC);
      }
      if (template.absSendTime >= 0)
        header.writeUIntBE(Number((s.ntpTimestamp >> 14n) & 0xffffffn), 12 + template.absSendTime, 3);
    }
    const roc = context.getSrtpSsrcState(s.ssrc);
    context.updateRolloverCount(seq, roc);
    const connection = dtls.iceTransport.connection;
    const native = nativeRoute(connection, context);
    let size: number;
    if (native && addon) {
      const { channel, target } = native;
      size = addon.seal(channel, header, payload, roc.rolloverCounter);
      counts.native++;
      const pair = connection.nominated!;
      pair.packetsSent++;
      pair.bytesSent += size;
      // A frame's packets leave together on its last (marker) packet; anything else by the end of this
      // turn of the event loop.
      if (h.marker) addon.flush(channel);
      else {
        pendingFlush.set(channel, { addon, target });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushPending);
        }
      }
    } else {
      const out = Buffer.allocUnsafe(headerLength + payload.length + GCM_TAG_LENGTH);
      header.copy(out);
      sealGcm(state, roc.rolloverCounter, seq, out, headerLength, payload);
      size = out.length;
      sendOnNominatedPair(connection, out);
    }

    s.octetCount += payload.length;
    s.headerBytesSent += headerLength;
    s.packetCount = (s.packetCount + 1) >>> 0;
    s.rtpCache[seq % RTP_HISTORY_SIZE] = new SentPacket(header, payload);
    dtls.bytesSent += size;
    dtls.packetsSent++;
    if (!s.rtcpRunning) void s.runRtcp();
    if (wideSeq >= 0) {
      const now = Date.now();
      s.senderBWE.rtpPacketSent({ wideSeq, size, sendingAtMs: now, sentAtMs: now });
    }
    return done;
  };
  const track = (sender as { track?: MediaStreamTrack }).track;
  if (track) {
    const observers = new Set<(rtp: RtpPacket) => void>();
    leanSends.set(track, {
      observers,
      send: (rtp) => {
        if (observers.size > 0) for (const o of observers) o(rtp);
        const sent = s.sendRtp(rtp);
        // werift's own path (the fallback) is async and may reject; the lean one returns `done`.
        if (sent !== done) sent.catch(noop);
      },
    });
  }
  return counts;
}
