// Pure allocation decisions: who may subscribe to which streamer, and what the pod's status is. The socket
// and HTTP handlers only feed facts in and act on the answer, so every rule here is table-tested.
import type { SidecarStatus } from '../common/index.js';

/** Facts about one pod at one instant. */
export interface PodFacts {
  /** Registered real streamers (not SFUs), in registration order. */
  streamerIds: string[];
  /** Subscribed players (SFUs excluded). */
  players: number;
  draining: boolean;
  /** A reservation is live (waiting, claimed or resumable). */
  reserved: boolean;
}

export function podStatus(f: PodFacts): SidecarStatus {
  const streamerConnected = f.streamerIds.length > 0;
  const allocated = f.players > 0 || f.reserved;
  return {
    streamerConnected,
    allocated,
    available: streamerConnected && !allocated && !f.draining,
    draining: f.draining,
    reserved: f.reserved,
    players: f.players,
    streamerId: f.streamerIds[0] ?? null,
  };
}

/** Facts needed to decide one subscribe request. */
export interface SubscribeFacts {
  streamerExists: boolean;
  /** The target is a real streamer (the per-streamer player cap applies), not an SFU. */
  isStreamer: boolean;
  /** Subscribers the target has now, not counting this player. */
  subscribers: number;
  maxPlayers: number;
  draining: boolean;
  /** Id of the live reservation, if any. */
  reservationId: string | undefined;
  /** Reservation id carried by this player's socket, if any. */
  playerReservationId: string | undefined;
  /** The subscriber that holds the same reservation (a resumed player replacing its stale socket). */
  staleHolder: boolean;
}

export type SubscribeRefusal = 'unknown_streamer' | 'draining' | 'reserved' | 'full';
export type SubscribeDecision =
  { ok: true; evictStaleHolder: boolean } | { ok: false; reason: SubscribeRefusal; message: string };

export function decideSubscribe(f: SubscribeFacts): SubscribeDecision {
  if (!f.streamerExists) return { ok: false, reason: 'unknown_streamer', message: 'Streamer does not exist' };
  if (f.draining) return { ok: false, reason: 'draining', message: 'This stream is shutting down' };
  const holder = f.reservationId !== undefined && f.playerReservationId === f.reservationId;
  if (f.reservationId !== undefined && !holder)
    return { ok: false, reason: 'reserved', message: 'This stream is reserved for another player' };
  if (f.isStreamer && f.subscribers >= f.maxPlayers) {
    // A resumed player may replace the dropped-but-not-yet-closed socket that held its own reservation.
    if (holder && f.staleHolder && f.subscribers - 1 < f.maxPlayers)
      return { ok: true, evictStaleHolder: true };
    return { ok: false, reason: 'full', message: 'Streamer has reached its maximum number of players' };
  }
  return { ok: true, evictStaleHolder: false };
}

/** Readiness: a pod is Ready while a streamer is registered and it is not draining. Allocated pods stay Ready. */
export function isReady(s: SidecarStatus): boolean {
  return s.streamerConnected && !s.draining;
}
