// The contract between the session router and each pod's sidecar. The sidecar is the lock: it grants at
// most one live reservation per stream, atomically; the router holds no shared state.
//
//   POST   /reservations            Authorization: Bearer <ROUTER_TOKEN>   body: ReservationRequest
//          201 Reservation | 409 {code:'not_available'} | 401 {code:'unauthorized'} | 503 {code:'draining'}
//   GET    /reservations/:id        → 200 Reservation | 404
//   DELETE /reservations/:id        → 204 | 404        (release: the router gave up, or the session ended)
//
// A player socket piped by the router carries `?reservation=<id>` on its upgrade URL (the router adds it;
// the browser never sees it). While a reservation is live, only players carrying its id may subscribe.
// A reservation that no player claims within `ttlSeconds` expires. After its player disconnects, the
// reservation stays for `resumeSeconds` so the same player (same reservation id) can come back to the same
// streamer; then the stream is free again. Resuming an existing reservation: POST with `resumeId`. When the
// old socket of that reservation is still open (a half-dead connection the sidecar has not noticed yet),
// the newest connection wins: the resumed player replaces it.

export const RESERVATIONS_PATH = '/reservations';
/** Longest wait for the reserving player a sidecar grants (asked-for TTLs are clamped to it). */
export const MAX_RESERVATION_TTL_SECONDS = 600;
/** Longest resume grace a sidecar grants after the player disconnects. */
export const MAX_RESUME_GRACE_SECONDS = 3600;
export const RESERVATION_QUERY_PARAM = 'reservation';

export interface ReservationRequest {
  /** How long the reservation waits for its player, in seconds (the sidecar clamps it). */
  ttlSeconds?: number;
  /** Grace period after the player's socket drops, in seconds (the sidecar clamps it). */
  resumeSeconds?: number;
  /** Ask to re-claim this existing reservation (session resume); 404 when it is gone. */
  resumeId?: string;
}

export interface Reservation {
  id: string;
  /** Epoch milliseconds when the unclaimed (or abandoned) reservation lapses. */
  expiresAt: number;
  /** 'waiting' until a player claims it, 'claimed' while it has a player, 'resumable' after it drops. */
  state: 'waiting' | 'claimed' | 'resumable';
  streamerId: string | null;
}

/** JSON body of `GET /status` on every sidecar. */
export interface SidecarStatus {
  streamerConnected: boolean;
  allocated: boolean;
  available: boolean;
  draining: boolean;
  reserved: boolean;
  players: number;
  streamerId: string | null;
}
