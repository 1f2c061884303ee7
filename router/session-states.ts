// The states a player session goes through, and which moves between them are legal. Pure, so the table can
// be tested on its own; `PlayerSession` refuses (and logs) any move the table does not list.

/** arriving (socket not upgraded) → waiting (queued) → connecting (pod granted) → piped → closed. */
export type SessionState = 'arriving' | 'waiting' | 'connecting' | 'piped' | 'closed';

/** Why a session ended; logged once, by `PlayerSession.finish`. */
export type EndReason =
  | 'left_before_upgrade'
  | 'left_queue'
  | 'left_while_connecting'
  | 'turned_away'
  | 'player_gone'
  | 'bad_path'
  | 'pod_not_listed'
  | 'pipe_closed';

const NEXT: Readonly<Record<SessionState, readonly SessionState[]>> = {
  arriving: ['waiting', 'closed'],
  waiting: ['connecting', 'closed'],
  // Back to waiting when the granted pod's socket fails before it opens.
  connecting: ['piped', 'waiting', 'closed'],
  piped: ['closed'],
  closed: [],
};

/** Whether a session may move from `from` to `to`. */
export function canMove(from: SessionState, to: SessionState): boolean {
  return NEXT[from].includes(to);
}
