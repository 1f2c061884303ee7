// Streams per GPU in the simulator: placement (pack vs spread, GPU choice), the ReplicaSet's victim order
// with node-fill costs, the co-tenant slow-down on a scenario with a known answer, the GPU-hours and
// node-hours N streams per GPU save on one trace, and the bookkeeping invariants under sharing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKitConfig } from '../common/kit-config.js';
import type { Arrival } from './arrivals.js';
import { pickGpu, pickNode, podsPerNode, slowdownFactor, type SlotNode } from './gpu-packing.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import { bufferPolicy } from './policies.js';
import { rankForDeletion, type RankedPod } from './replica-set.js';
import { compareSharing, formatSharingTable, sharingValues } from './sharing-report.js';
import { simulate } from './simulation.js';
import { crisp as crispModel } from './test-support.js';

const kit = loadKitConfig({});
const crisp: Model = { ...crispModel, coTenantSlowdown: 0 };

describe('placement', () => {
  const node = (free: number, ready = true): SlotNode => ({ ready, free, gpuPods: [] });

  it.each([
    ['pack', [node(3), node(1), node(2)], 1],
    ['spread', [node(3), node(1), node(2)], 0],
    ['pack', [node(2), node(2)], 0], // ties: the oldest node
    ['pack', [node(1, false), node(3)], 1], // booting nodes take nothing
    ['pack', [node(0), node(0)], -1],
  ] as const)('%s over %j → node %i', (packing, nodes, expected) => {
    expect(pickNode(nodes, 1, packing)).toBe(expected);
  });

  it('needs room for the whole pod', () => {
    expect(pickNode([node(1), node(2)], 2, 'pack')).toBe(1);
  });

  it.each([
    [[0, 0], 4, 0],
    [[2, 1], 4, 1],
    [[4, 3], 4, 1],
    [[4, 4], 4, -1],
  ])('GPU of %j with %i slots each → %i (fewest pods first)', (gpuPods, perGpu, expected) => {
    expect(pickGpu(gpuPods, perGpu)).toBe(expected);
  });

  it('node capacity in pods', () => {
    const shape = (gpusPerNode: number, gpusPerPod: number, streamsPerGpu: number) =>
      podsPerNode({ gpusPerNode, gpusPerPod, streamsPerGpu });
    expect([shape(1, 1, 1), shape(8, 1, 1), shape(8, 2, 1), shape(1, 1, 4), shape(8, 1, 4)]).toEqual([
      1, 8, 4, 4, 32,
    ]);
  });

  it('slow-down per co-tenant', () => {
    expect([0, 1, 2, 4].map((n) => slowdownFactor(n, 0.25))).toEqual([1, 1, 1.25, 1.75]);
  });
});

describe('deletion order with node fill', () => {
  const pod = (id: number, allocated: boolean, podsOnNode: number, sessionsOnNode: number): RankedPod => ({
    id,
    state: 'ready',
    ready: true,
    allocated,
    podsOnNode,
    sessionsOnNode,
    readyAt: 0,
    createdAt: 0,
  });

  it('idle pods on the emptiest nodes go first; sessions last', () => {
    const pods = [
      pod(1, false, 4, 3), // idle on a busy node
      pod(2, true, 4, 3),
      pod(3, false, 2, 0), // idle on a node without sessions, with another idle pod
      pod(4, false, 1, 0), // alone on its node: deleting it empties the node
      pod(5, true, 1, 1),
    ];
    expect(rankForDeletion(pods, 'cost').map((p) => p.id)).toEqual([4, 3, 1, 5, 2]);
  });

  it('without costs Kubernetes takes pods from crowded nodes first (spreading), sessions or not', () => {
    const pods = [pod(1, true, 4, 3), pod(2, false, 1, 0)];
    expect(rankForDeletion(pods, 'arbitrary').map((p) => p.id)).toEqual([1, 2]);
  });
});

describe('streams per GPU in the simulation', () => {
  it('co-tenants slow each other by the configured factor (known answer)', () => {
    // Four players arrive at once on four warm pods sharing one GPU: all four stream together for 1000 s.
    const arrivals: Arrival[] = Array.from({ length: 4 }, () => ({ at: 0, session: 1000 }));
    const run = (streamsPerGpu: number) =>
      simulate({
        arrivals,
        horizonSeconds: 1000,
        policy: { ...bufferPolicy(kit, 0), hpa: { ...bufferPolicy(kit, 0).hpa, minReplicas: 4 } },
        model: { ...crisp, streamsPerGpu, coTenantSlowdown: 0.2 },
        seed: 1,
        initialReplicas: 4,
      });
    const shared = run(4);
    expect(shared.waits.every((w) => w === 0)).toBe(true);
    expect(shared.streamSlowdown).toBeCloseTo(1 + 0.2 * 3, 9);
    expect(run(1).streamSlowdown).toBe(1);
  });

  it('packs new pods onto the fullest node: N streams per GPU need about 1/N of the nodes', () => {
    // 12 players within two minutes, each for an hour: one node per stream without sharing, four with 4
    // (12 streams + the buffer pod = 13 pods).
    const arrivals: Arrival[] = Array.from({ length: 12 }, (_, i) => ({ at: 60 + i * 10, session: 3600 }));
    const roomy = loadKitConfig({ HPA_MAX_REPLICAS: '40' });
    const run = (streamsPerGpu: number) =>
      simulate({
        arrivals,
        horizonSeconds: 3 * 3600,
        policy: bufferPolicy(roomy, 1),
        model: { ...crisp, streamsPerGpu, maxNodes: 40 },
        seed: 3,
      });
    const one = run(1);
    const four = run(4);
    expect(Math.max(...one.series.nodes)).toBe(13);
    expect(Math.max(...four.series.nodes)).toBe(4);
    // Everyone is served in both; the saving is in GPU-hours, not in players.
    expect([...one.servedBy].filter((p) => p >= 0)).toHaveLength(12);
    expect([...four.servedBy].filter((p) => p >= 0)).toHaveLength(12);
    expect(four.nodeGpuSeconds).toBeLessThan(one.nodeGpuSeconds / 2.5);
    expect(four.gpuSeconds).toBeLessThan(one.gpuSeconds / 3);
  });

  it('the comparison reports the same trace at 1 and N streams per GPU with the hours saved', () => {
    const arrivals: Arrival[] = Array.from({ length: 40 }, (_, i) => ({ at: 300 + i * 240, session: 1800 }));
    const model: Model = { ...crisp, gpusPerNode: 2, maxNodes: 40 };
    const rows = compareSharing(['buffer-1'], [4, 1, 4], model, (_name, m) =>
      simulate({ arrivals, horizonSeconds: 4 * 3600, policy: bufferPolicy(kit, 1), model: m, seed: 5 }),
    );
    expect(sharingValues([4, 1, 4])).toEqual([1, 4]);
    expect(rows.map((r) => r.streamsPerGpu)).toEqual([1, 4]);
    const [base, shared] = rows;
    expect(base!.savedNodeGpuHours).toBe(0);
    expect(shared!.savedNodeGpuHours).toBeCloseTo(base!.nodeGpuHours - shared!.nodeGpuHours, 9);
    expect(shared!.savedNodeHours).toBeCloseTo(base!.nodeHours - shared!.nodeHours, 9);
    expect(shared!.savedNodeGpuHours).toBeGreaterThan(0);
    expect(shared!.nodeGpuHours).toBeCloseTo(shared!.nodeHours * model.gpusPerNode, 9);
    // For the same waits: nobody waits longer than 30 s in either (the buffer covers each arrival).
    expect(base!.over30s).toBe(0);
    expect(shared!.over30s).toBe(0);
    const table = formatSharingTable(rows);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/^buffer-1 +4 /m);
  });

  it('GPU bookkeeping holds under sharing on random traces', () => {
    const arrival = fc.record({
      at: fc.double({ min: 0, max: 7200, noNaN: true }),
      session: fc.double({ min: 1, max: 3000, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(arrival, { maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('pack' as const, 'spread' as const),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (raw, streamsPerGpu, gpusPerNode, packing, seed) => {
          const arrivals = [...raw].sort((a, b) => a.at - b.at);
          const model: Model = {
            ...DEFAULT_MODEL,
            streamsPerGpu,
            gpusPerNode,
            packing,
            coTenantSlowdown: 0.3,
            maxNodes: 5,
            queueMax: 20,
          };
          const r = simulate({ arrivals, horizonSeconds: 7200, policy: bufferPolicy(kit, 2), model, seed });
          // Pod GPU-hours are the pods' bound time × their share of a GPU, never more than the nodes have.
          const bound = r.podGpuIntervals.reduce((sum, [a, b]) => sum + (b - a), 0);
          expect(r.gpuSeconds).toBeCloseTo(bound / streamsPerGpu, 3);
          expect(r.gpuSeconds).toBeLessThanOrEqual(r.nodeGpuSeconds + 1e-6);
          expect(r.nodeGpuSeconds).toBeCloseTo(r.nodeSeconds * gpusPerNode, 3);
          // Slow-down lies between alone (1) and a full GPU's worth of co-tenants.
          expect(r.streamSlowdown).toBeGreaterThanOrEqual(1);
          expect(r.streamSlowdown).toBeLessThanOrEqual(1 + 0.3 * (streamsPerGpu - 1) + 1e-9);
        },
      ),
      { numRuns: 40 },
    );
  });
});
