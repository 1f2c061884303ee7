// Splices a player's WebSocket to its sidecar's player socket: every message passes unchanged (text stays
// text, binary stays binary), close codes travel both ways, and a slow side pauses the fast one instead of
// letting the router buffer without bound.
import type { RawData, WebSocket } from 'ws';

/** Pause a sender once this much is queued towards the slow side… */
const HIGH_WATER_BYTES = 1024 * 1024;
/** …and let it go again once it drained below this. */
const LOW_WATER_BYTES = 256 * 1024;

export interface PipeEnd {
  /** Which side closed first and with what; for the session's log line and release decision. */
  (first: 'player' | 'sidecar', code: number, reason: string): void;
}

/** Codes a peer may legally put in a close frame (RFC 6455 §7.4); others need another way through. */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Closes `ws` the way its peer's socket was closed: same code, no frame (1005), or a dropped TCP (1006). */
export function closeLike(ws: WebSocket, code: number, reason: Buffer | string): void {
  if (ws.readyState === ws.CLOSED) return;
  if (ws.readyState === ws.CONNECTING) return ws.terminate();
  if (ws.readyState === ws.CLOSING) return;
  const text = typeof reason === 'string' ? reason : reason.toString('utf8');
  if (sendable(code)) ws.close(code, Buffer.byteLength(text) <= 123 ? text : '');
  else if (code === 1005) ws.close();
  else ws.terminate();
}

function forward(from: WebSocket, to: WebSocket, data: RawData, isBinary: boolean): void {
  if (to.readyState !== to.OPEN) return;
  to.send(data, { binary: isBinary }, () => {
    if (from.isPaused && to.bufferedAmount < LOW_WATER_BYTES) from.resume();
  });
  if (to.bufferedAmount > HIGH_WATER_BYTES && !from.isPaused) from.pause();
}

/**
 * Joins two open sockets. `pending` are player messages that arrived before the sidecar socket opened;
 * they go first, in order. `onEnd` runs once, when the first side closes.
 */
export function splice(
  player: WebSocket,
  sidecar: WebSocket,
  pending: ReadonlyArray<{ data: RawData; isBinary: boolean }>,
  onEnd: PipeEnd,
): void {
  for (const m of pending) forward(player, sidecar, m.data, m.isBinary);
  player.on('message', (data, isBinary) => forward(player, sidecar, data, isBinary));
  sidecar.on('message', (data, isBinary) => forward(sidecar, player, data, isBinary));
  let ended = false;
  const end = (first: 'player' | 'sidecar', other: WebSocket, code: number, reason: Buffer) => {
    if (ended) return;
    ended = true;
    // A paused socket would never see the peer's close frame.
    if (other.isPaused) other.resume();
    closeLike(other, code, reason);
    onEnd(first, code, reason.toString('utf8'));
  };
  player.on('close', (code, reason) => end('player', sidecar, code, reason));
  sidecar.on('close', (code, reason) => end('sidecar', player, code, reason));
}
