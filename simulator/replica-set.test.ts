// The ReplicaSet on its own: binding pending pods to the cluster's nodes, the pod lifecycle, and how a
// deleted pod leaves.
import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';
import type { Model } from './model.js';
import { Random } from './random.js';
import { ReplicaSet } from './replica-set.js';
import { crisp } from './test-support.js';

const model: Model = { ...crisp, gpusPerNode: 2 };
const parts = () => ({
  rs: new ReplicaSet(model, new Random(1)),
  cluster: new Cluster(model, { balloons: 0, prepull: false }, new Random(2), new Random(3)),
});

describe('ReplicaSet', () => {
  it('binds pending pods oldest first while nodes have room; the rest wait', () => {
    const { rs, cluster } = parts();
    cluster.warmStart(1); // one node of 2 GPUs
    const pods = [0, 1, 2].map(() => rs.create(5));
    const bound = rs.schedule(5, cluster);
    expect(bound.map((b) => [b.pod.id, b.at])).toEqual([
      [0, 6],
      [1, 6],
    ]);
    expect(pods.map((p) => p.state)).toEqual(['binding', 'binding', 'pending']);
    expect([rs.pending, rs.bound]).toEqual([1, 2]);
  });

  it('walks a pod through pull (cold, then cached), start and Ready', () => {
    const { rs, cluster } = parts();
    cluster.warmStart(1);
    const node = cluster.nodes[0]!;
    node.hasImage = false;
    const [first, second] = [rs.create(0), rs.create(0)];
    rs.schedule(0, cluster);
    expect(rs.pullStarts(first, node, 1)).toBe(1 + 60);
    node.hasImage = true;
    expect(rs.pullStarts(second, node, 1)).toBe(1 + 2);
    expect(rs.appStarts(first, 61, () => 1.5)).toBe(61 + 20 * 1.5);
    expect(rs.ready(first, 91)).toBe(true);
    expect(rs.firstAvailable()).toBe(first);
    expect(rs.ready(second, 91)).toBe(false); // still pulling
  });

  it('a deleted pod leaves at once if unscheduled, drains if streaming, else terminates', () => {
    const { rs, cluster } = parts();
    cluster.warmStart(2);
    const streaming = rs.create(0);
    const idle = rs.create(0);
    rs.schedule(0, cluster);
    const pending = rs.create(0);
    rs.startStream(streaming, 4);
    expect([rs.delete(pending), rs.delete(streaming), rs.delete(idle)]).toEqual([
      'exit',
      'drain',
      'terminate',
    ]);
    expect(() => rs.startStream(streaming, 5)).toThrow(/already streams/);
  });

  it('deletes idle pods before one with a session (pod-deletion-cost)', () => {
    const { rs, cluster } = parts();
    cluster.warmStart(3);
    const pods = [0, 1, 2].map(() => rs.create(0));
    rs.schedule(0, cluster);
    for (const p of pods) p.state = 'ready';
    rs.startStream(pods[2]!, 0);
    cluster.streaming(cluster.node(pods[2]!.node), pods[2]!.gpu, +1);
    rs.specReplicas = 1;
    expect(rs.shortfall()).toBe(-2);
    expect(rs.victims(2, (id) => cluster.node(id)).map((p) => p.id)).not.toContain(2);
  });
});
