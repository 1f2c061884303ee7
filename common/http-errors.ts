// Stable error codes shared by every HTTP and WebSocket surface of the kit. READMEs list them; clients and
// operators match on `code`, never on message text.

/** WebSocket close codes we send (4000–4999 is the application range). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  tooLarge: 1009,
  /** Epic's server closes a player with 1011 on `disconnectPlayer`. */
  disconnectedByStreamer: 1011,
  /** The same code for our own failure handling a peer's message (the close reason tells them apart). */
  internalError: 1011,
  /** Service restart: Epic's frontend reconnects by itself after it (it does not after 1001). */
  serviceRestart: 1012,
  /** Legacy players that over-subscribe a stream (no `subscribeFailed` support). */
  tryAgainLater: 1013,
  unauthorized: 4401,
  forbidden: 4403,
  rateLimited: 4429,
  noCapacity: 4503,
  streamerGone: 4404,
  draining: 4410,
  /** The peer this socket feeds (a streamer that stopped reading) has too much queued: try again later. */
  backlogged: 4507,
} as const;

export interface ErrorBody {
  code: string;
  message: string;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { code, message };
}
