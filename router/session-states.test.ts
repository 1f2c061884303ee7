// The session transition table, checked pair by pair against the list of legal moves (closed is final),
// and the registry that numbers one router's sessions from 1 independently of any other router.
import { describe, expect, it } from 'vitest';
import { SessionRegistry } from './session-registry.js';
import { canMove, type SessionState } from './session-states.js';

const STATES: SessionState[] = ['arriving', 'waiting', 'connecting', 'piped', 'closed'];

/** Every legal move; any pair not listed here must be refused. */
const LEGAL: Array<[SessionState, SessionState]> = [
  ['arriving', 'waiting'],
  ['arriving', 'closed'],
  ['waiting', 'connecting'],
  ['waiting', 'closed'],
  ['connecting', 'piped'],
  ['connecting', 'waiting'],
  ['connecting', 'closed'],
  ['piped', 'closed'],
];

describe('session transitions', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s', (from, to) => {
    const legal = LEGAL.some(([f, t]) => f === from && t === to);
    expect(canMove(from, to)).toBe(legal);
  });

  it('closed is final', () => {
    expect(STATES.filter((to) => canMove('closed', to))).toEqual([]);
  });
});

describe('SessionRegistry', () => {
  it('issues ids per registry and tracks live sessions', () => {
    const a = new SessionRegistry<string>();
    const b = new SessionRegistry<string>();
    expect([a.issueId(), a.issueId(), b.issueId()]).toEqual([1, 2, 1]);
    a.add('x');
    a.add('y');
    a.delete('x');
    expect([...a]).toEqual(['y']);
    expect(a.size).toBe(1);
  });
});
