// The GPU node pool on its own: the cluster autoscaler's requests and removals, and balloons.
import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import { Random } from './random.js';
import { fixed } from './test-support.js';

const cluster = (model: Partial<Model>, balloons = 0, prepull = false) =>
  new Cluster(
    { ...DEFAULT_MODEL, nodeStartup: fixed(120), imagePull: fixed(60), ...model },
    { balloons, prepull },
    new Random(1),
    new Random(2),
  );

describe('cluster autoscaler', () => {
  it('requests nodes for what the booting ones cannot take, up to maxNodes', () => {
    const c = cluster({ gpusPerNode: 2, maxNodes: 3 });
    expect(c.request(0).readyAt).toBe(120);
    expect(c.nodesToAdd(1)).toBe(0); // the booting node takes it
    expect(c.nodesToAdd(5)).toBe(2); // (5 − 2) pods at 2 per node
    expect(c.nodesToAdd(50)).toBe(2); // maxNodes
  });

  it('removes Ready nodes empty for the unneeded time, oldest first, down to minNodes', () => {
    const c = cluster({ minNodes: 2, nodeUnneededSeconds: 600 });
    c.warmStart(3);
    const busy = c.nodes[2]!;
    c.occupy(busy);
    c.removeUnneeded(599);
    expect(c.liveNodes).toBe(3);
    c.removeUnneeded(600);
    expect(c.nodes.map((n) => n.gone)).toEqual([true, false, false]);
  });

  it('a Ready node starts pulling the image when a pre-pull DaemonSet runs', () => {
    const withPrepull = cluster({}, 0, true);
    const { node } = withPrepull.request(0);
    expect(withPrepull.nodeReady(node, 120)).toBe(180);
    const without = cluster({});
    expect(without.nodeReady(without.request(0).node, 120)).toBeNaN();
  });
});

describe('balloons', () => {
  it('hold a warm node without the image; a pending pod preempts one and the balloon asks for a node', () => {
    const c = cluster({}, 1);
    c.warmBalloons();
    expect(c.nodes.map((n) => [n.pods, n.hasImage])).toEqual([[1, false]]);
    expect(c.freeNode()).toBeUndefined();
    expect(c.nodesToAdd(0)).toBe(0);
    expect(c.placeStreamer()).toBe(c.nodes[0]);
    expect(c.nodesToAdd(0)).toBe(1);
  });
});
