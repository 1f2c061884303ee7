// The router queue on its own: who is turned away and why, arrival order, and the stream bookkeeping.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, type Model } from './model.js';
import { Random } from './random.js';
import { RouterQueue } from './router-queue.js';
import { fixed } from './test-support.js';

const players = (n: number) => Array.from({ length: n }, (_, i) => ({ at: 10 * i, session: 100 }));
const queue = (n: number, model: Partial<Model> = {}) =>
  new RouterQueue(players(n), { ...DEFAULT_MODEL, ...model }, new Random(1));

describe('router queue', () => {
  it('turns a player away at once when the queue is full', () => {
    const q = queue(2, { queueMax: 1 });
    expect(q.enqueue(0, 0)).toBeDefined();
    expect(q.enqueue(1, 10)).toBeUndefined();
    expect(q.turnedAway).toEqual({ queueFull: 1, timeout: 0, gaveUp: 0 });
    expect(q.length).toBe(1);
  });

  it.each([
    { what: "the router's timeout", giveUp: undefined, after: 300, reason: 'timeout' },
    { what: "the player's patience", giveUp: fixed(30), after: 30, reason: 'gaveUp' },
  ])('a waiting player leaves at $what, whichever comes first', ({ giveUp, after, reason }) => {
    const q = queue(1, { giveUp, queueTimeoutSeconds: 300 });
    const timer = q.enqueue(0, 5)!;
    expect(timer.at).toBe(5 + after);
    q.giveUp(timer.token);
    expect(q.turnedAway).toMatchObject({ [reason]: 1 });
    expect(q.length).toBe(0);
    q.giveUp(timer.token); // a player who left cannot leave twice
    expect(q.length).toBe(0);
  });

  it('serves in arrival order, skipping players who left', () => {
    const q = queue(3);
    const timers = [0, 1, 2].map((i) => q.enqueue(i, 10 * i)!);
    q.giveUp(timers[1]!.token);
    expect([q.next(), q.next()]).toEqual([0, 2]);
    expect(q.length).toBe(0);
  });

  it('records the wait and the stream, and ends running streams at the end of the run', () => {
    const q = queue(2);
    q.enqueue(1, 10);
    expect(q.serve(0, 7, 0)).toBe(100);
    expect(q.serve(q.next(), 8, 25)).toBe(125);
    q.ended(0, 100);
    q.finish(110);
    expect(Array.from(q.waits)).toEqual([0, 15]);
    expect(Array.from(q.servedBy)).toEqual([7, 8]);
    expect(Array.from(q.streamEnd)).toEqual([100, 110]);
  });
});
