import { describe, expect, it } from 'vitest';
import { WaitQueue } from './wait-queue.js';

describe('WaitQueue', () => {
  it('is first-in first-out, with 1-based positions', () => {
    const q = new WaitQueue<string>();
    q.push('a');
    q.push('b');
    q.push('c');
    expect(q.position('b')).toBe(2);
    expect(q.shift()).toBe('a');
    expect(q.position('b')).toBe(1);
    expect(q.position('a')).toBe(0);
  });

  it('removes from the middle and puts a failed grant back at the head', () => {
    const q = new WaitQueue<string>();
    for (const x of ['a', 'b', 'c', 'd']) q.push(x);
    expect(q.remove('b')).toBe(true);
    expect(q.remove('b')).toBe(false);
    q.unshift('z');
    expect(q.toArray()).toEqual(['z', 'a', 'c', 'd']);
    expect(q.beyond(2)).toEqual(['c', 'd']);
    expect(q.length).toBe(4);
  });
});
