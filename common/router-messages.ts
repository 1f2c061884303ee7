// Messages the session router itself sends to a player while it waits for a pod. Epic's frontend logs and
// ignores unknown types; our player page shows them. They are never sent once the player is piped to a pod.

/** Sent to a waiting player whenever its place in the queue changes. 1-based. */
export interface QueuePositionMessage {
  type: 'queuePosition';
  position: number;
  queueLength: number;
}

/** Sent just before the router closes a player's socket with CLOSE.noCapacity. */
export interface NoCapacityMessage {
  type: 'noCapacity';
  /** queue_full: the wait queue is at QUEUE_MAX; queue_timeout: waited QUEUE_TIMEOUT_SECONDS; shutting_down. */
  code: 'queue_full' | 'queue_timeout' | 'shutting_down';
  message: string;
}

export function queuePosition(position: number, queueLength: number): QueuePositionMessage {
  return { type: 'queuePosition', position, queueLength };
}

/**
 * Sent once to a player whose pod was assigned after its WebSocket opened (it waited in the queue), just
 * before the pod's first message. The handshake could not carry the resume cookie then; the page POSTs the
 * ticket to SESSION_PATH on its own origin and the router answers with the HttpOnly cookie.
 */
export interface SessionTicketMessage {
  type: 'sessionTicket';
  ticket: string;
}

/** `POST {"ticket": "..."}` here (same origin, JSON) → 204 with the resume cookie; 400 for a bad ticket. */
export const SESSION_PATH = '/session';

export type RouterMessage = QueuePositionMessage | NoCapacityMessage | SessionTicketMessage;
