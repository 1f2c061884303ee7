// The fan-out's native send path (native/srtp-send.c): one AES-GCM context per player's SRTP session, and
// each frame's packets to a player in one sendmsg with UDP segmentation offload. Without it every packet
// to every player costs a fresh Node cipher and a dgram send of its own (lean-rtp-sender.ts keeps that path
// for when the addon is missing, for TURN-relayed and TCP pairs, and for FANOUT_SEND=js).
//
// The addon is built by `npm run build:native` (also run before `npm start` and `npm test`) into
// streamer/native/build/, and the streamer image carries it beside its bundle.
import type { Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A channel: one player's SRTP session key on one socket, to one address. Opaque to JavaScript. */
export type SrtpChannel = { readonly srtpChannel: unique symbol };
/** A player's SRTCP session (its key and salt) for opening what it sends. Opaque to JavaScript. */
export type SrtcpReceiver = { readonly srtcpReceiver: unique symbol };

/** The addon's functions (native/srtp-send.c says what each does). */
export interface SrtpSendAddon {
  /**
   * `gso` false: batches leave with sendmmsg, as they do once the kernel refuses UDP segmentation.
   * `turnChannel` (0x4000–0x7FFF): `address` and `port` are the TURN server's, each packet goes as
   * ChannelData on that channel; 0 (the default) sends packets as they are.
   */
  open(
    fd: number,
    family: 4 | 6,
    address: string,
    port: number,
    key: Buffer,
    salt: Buffer,
    gso?: boolean,
    turnChannel?: number,
  ): SrtpChannel;
  /** Seals one packet (SSRC and sequence number read from `header`) into the batch; returns its size on the wire. */
  seal(channel: SrtpChannel, header: Buffer, payload: Buffer, roc: number): number;
  /** Sends the batch. */
  flush(channel: SrtpChannel): void;
  /** [sent packets, dropped packets, send calls, failed sends, last errno, 1 while UDP GSO works] */
  stats(channel: SrtpChannel): number[];
  rtcpReceiver(key: Buffer, salt: Buffer): SrtcpReceiver;
  /** The RTCP compound inside an SRTCP packet (AEAD_AES_128_GCM), or null when it does not authenticate. */
  openRtcp(receiver: SrtcpReceiver, packet: Buffer): Buffer | null;
}

export const FANOUT_SEND_MODES = ['auto', 'native', 'js'] as const;
export type FanoutSendMode = (typeof FANOUT_SEND_MODES)[number];

/** Where the addon may be: beside the bundle (images), or where `npm run build:native` puts it. */
export const ADDON_CANDIDATES = [
  new URL('./srtp-send.node', import.meta.url),
  new URL('./native/build/srtp-send.node', import.meta.url),
].map((u) => fileURLToPath(u));

export type SendPath =
  { addon: SrtpSendAddon; path: 'native'; file: string } | { addon: undefined; path: 'js'; why: string };

/**
 * The send path FANOUT_SEND asks for: `js` never loads the addon; `auto` loads it when it is there and
 * loads, else says why not; `native` throws when it cannot be had.
 */
export function chooseSendPath(
  mode: FanoutSendMode,
  candidates: readonly string[] = ADDON_CANDIDATES,
): SendPath {
  if (mode === 'js') return { addon: undefined, path: 'js', why: 'FANOUT_SEND=js' };
  const file = candidates.find((f) => existsSync(f));
  let why = `no srtp-send.node in ${candidates.join(' or ')} (npm run build:native builds it)`;
  if (file) {
    try {
      const addon = createRequire(import.meta.url)(file) as Partial<SrtpSendAddon>;
      const missing = (['open', 'seal', 'flush', 'stats', 'rtcpReceiver', 'openRtcp'] as const).filter(
        (f) => typeof addon[f] !== 'function',
      );
      if (missing.length === 0) return { addon: addon as SrtpSendAddon, path: 'native', file };
      why = `${file} is not the srtp-send addon (no ${missing.join(', ')})`;
    } catch (err) {
      why = `${file} did not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (mode === 'native') throw new Error(`FANOUT_SEND=native: ${why}`);
  return { addon: undefined, path: 'js', why };
}

/**
 * The file descriptor under a dgram socket, which the addon sends on, or undefined where there is none.
 * dgram keeps its libuv handle under a symbol of its own; the handle's `fd` is the socket's.
 */
export function socketFd(socket: Socket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'state symbol');
  const holder = socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>;
  const fd = state ? holder[state]?.handle?.fd : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
