import { describe, expect, it } from 'vitest';
import { orderCandidates, tierOf, Tier, type Belief } from './candidates.js';
import type { Endpoint } from './endpoints.js';

const ep = (n: number, allocatedHint?: boolean): Endpoint => ({
  key: `p${n}`,
  url: `http://10.0.0.${n}:8080`,
  ...(allocatedHint === undefined ? {} : { allocatedHint }),
});

describe('tierOf', () => {
  it.each([
    ['free label', ep(1, false), undefined, Tier.free],
    ['no label', ep(1), undefined, Tier.unknown],
    ['allocated label', ep(1, true), undefined, Tier.busy],
    ['refused before, label free', ep(1, false), { busySince: 5 }, Tier.busy],
    ['suspect', ep(1, false), { suspectUntil: 2000 }, Tier.suspect],
    ['suspicion lapsed', ep(1, false), { suspectUntil: 999 }, Tier.free],
  ] as const)('%s', (_name, e, belief, tier) => {
    expect(tierOf(e, belief as Belief | undefined, 1000)).toBe(tier);
  });
});

describe('orderCandidates', () => {
  it('tries free pods first, then unknown, then busy (oldest belief first), then suspect; skips in-flight', () => {
    const eps = [ep(1, true), ep(2), ep(3, false), ep(4, false), ep(5), ep(6, true)];
    const beliefs = new Map<string, Belief>([
      [ep(1).url, { busySince: 300 }],
      [ep(6).url, { busySince: 100 }],
      [ep(5).url, { suspectUntil: 5000 }],
    ]);
    const order = orderCandidates(eps, beliefs, new Set([ep(4).url]), 1000, () => 0.5).map((e) => e.key);
    expect(order).toEqual(['p3', 'p2', 'p6', 'p1', 'p5']);
  });

  it('shuffles within a tier so racing replicas spread over the free pods', () => {
    const eps = Array.from({ length: 20 }, (_, i) => ep(i + 1, false));
    const firsts = new Set<string>();
    for (let i = 0; i < 50; i++) firsts.add(orderCandidates(eps, new Map(), new Set(), 0)[0]!.key);
    expect(firsts.size).toBeGreaterThan(5);
  });
});
