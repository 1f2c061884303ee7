// The deletion cost the sidecar writes: a table of exact values, and the order a ReplicaSet scale-down
// would take on a small cluster (lowest cost first).
import { describe, expect, it } from 'vitest';
import { deletionCost, type NodeFill } from './pod-marks.js';

describe('deletionCost', () => {
  it.each([
    // allocated, fill on the pod's node (itself included), cost
    [false, undefined, 0],
    [true, undefined, 1_000_000],
    [false, { pods: 1, sessions: 0 }, 1],
    [false, { pods: 4, sessions: 0 }, 4],
    [false, { pods: 4, sessions: 3 }, 3004],
    [true, { pods: 1, sessions: 1 }, 1_001_001],
    [true, { pods: 8, sessions: 8 }, 1_008_008],
    [false, { pods: 5000, sessions: 5000 }, 999_999], // capped: an idle pod never reaches an allocated one
    [true, { pods: 5000, sessions: 5000 }, 1_999_999],
    [false, { pods: -3, sessions: 1.7 }, 1000], // nonsense counts are clamped and floored
  ] as [boolean, NodeFill | undefined, number][])('allocated=%s fill=%j → %i', (allocated, fill, cost) => {
    expect(deletionCost(allocated, fill)).toBe(cost);
  });

  it('scale-down takes idle pods on nearly empty nodes first, sessions last', () => {
    // Node A: 4 pods, 3 sessions. Node B: 2 pods, 1 session. Node C: 1 idle pod.
    const nodes: Record<string, NodeFill> = {
      A: { pods: 4, sessions: 3 },
      B: { pods: 2, sessions: 1 },
      C: { pods: 1, sessions: 0 },
    };
    const pods = [
      { name: 'a1', node: 'A', allocated: true },
      { name: 'a2', node: 'A', allocated: true },
      { name: 'a3', node: 'A', allocated: true },
      { name: 'a4', node: 'A', allocated: false },
      { name: 'b1', node: 'B', allocated: true },
      { name: 'b2', node: 'B', allocated: false },
      { name: 'c1', node: 'C', allocated: false },
    ];
    const order = pods
      .map((p) => ({ ...p, cost: deletionCost(p.allocated, nodes[p.node]) }))
      .sort((x, y) => x.cost - y.cost)
      .map((p) => p.name);
    // c1 empties node C; b2 then leaves B one session; a4 sits on the fullest node; sessions after all idle.
    expect(order.slice(0, 4)).toEqual(['c1', 'b2', 'a4', 'b1']);
    expect(order.slice(4).sort()).toEqual(['a1', 'a2', 'a3']);
  });
});
