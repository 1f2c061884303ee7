// Table tests of the per-client attempt bucket, the client address and the back-off.
import { describe, expect, it } from 'vitest';
import { ClientLimiter, clientAddress, retryDelayMs } from './client-limiter.js';

describe('ClientLimiter', () => {
  it('allows the burst, then one attempt per 1/rate seconds, per client', () => {
    const l = new ClientLimiter(2, 3);
    expect([0, 0, 0].map(() => l.take('a', 1000))).toEqual([0, 0, 0]);
    expect(l.take('a', 1000)).toBe(500);
    expect(l.take('b', 1000)).toBe(0);
    expect(l.take('a', 1499)).toBe(2);
    expect(l.take('a', 1500)).toBe(0);
    expect(l.take('a', 1500)).toBe(500);
    // Refills up to the burst, never beyond.
    expect([0, 0, 0, 0].map(() => l.take('a', 60_000))).toEqual([0, 0, 0, 500]);
  });

  it('is off with rate 0', () => {
    const l = new ClientLimiter(0, 1);
    for (let i = 0; i < 100; i++) expect(l.take('a', 0)).toBe(0);
    expect(l.size).toBe(0);
  });

  it('forgets idle clients once many addresses were seen', () => {
    const l = new ClientLimiter(10, 1);
    for (let i = 0; i < 10_000; i++) l.take(`c${i}`, 0);
    l.take('late', 10_000);
    expect(l.size).toBe(1);
  });

  it('stays bounded under a flood of ever-new addresses, forgetting the oldest first', () => {
    const l = new ClientLimiter(1, 1);
    // Nobody refills within the flood: no bucket is idle, so the oldest make room.
    for (let i = 0; i < 25_000; i++) l.take(`c${i}`, 0);
    expect(l.size).toBe(10_000);
    expect(l.take('c24999', 0)).toBe(1000); // the newest are still limited…
    expect(l.take('c0', 0)).toBe(0); // …the oldest were forgotten
  });
});

describe('clientAddress', () => {
  it.each([
    [undefined, '10.0.0.9', 1, '10.0.0.9'],
    ['203.0.113.5', '10.0.0.9', 1, '203.0.113.5'],
    ['1.1.1.1, 203.0.113.5', '10.0.0.9', 1, '203.0.113.5'],
    ['1.1.1.1, 203.0.113.5', '10.0.0.9', 0, '10.0.0.9'],
    ['1.1.1.1, 203.0.113.5', '10.0.0.9', 2, '1.1.1.1'],
    ['1.1.1.1', '10.0.0.9', 5, '1.1.1.1'],
    [['1.1.1.1', '2.2.2.2'], '10.0.0.9', 1, '2.2.2.2'],
  ])('X-Forwarded-For %j from %s with %i trusted hops → %s', (xff, peer, hops, want) => {
    expect(clientAddress(xff, peer, hops)).toBe(want);
  });
});

describe('retryDelayMs', () => {
  it('doubles from 250 ms and stops at 8 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
});
