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

export type RouterMessage = QueuePositionMessage | NoCapacityMessage;

export function queuePosition(position: number, queueLength: number): QueuePositionMessage {
  return { type: 'queuePosition', position, queueLength };
}
