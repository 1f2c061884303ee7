// The simulation's invariants on random traces (fast-check), an analytically known scenario, the original
// kit's queueing against buffer-N, and determinism.
// Deletion orders, drain timeouts and node shapes are drawn at random too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKitConfig } from '../common/kit-config.js';
import { generateArrivals, type Arrival, type Pattern } from './arrivals.js';
import { parseDistribution } from './distribution.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import { adaptivePolicy, bufferPolicy, builtInPolicy, configuredPolicy, originalPolicy } from './policies.js';
import { summarize } from './report.js';
import { simulate, type SimulationResult } from './simulation.js';
import { crisp } from './test-support.js';

const kit = loadKitConfig({});
/** A generated trace: pattern at ratePerHour over hours, sessions drawn from `session`. */
const trace = (pattern: Pattern, ratePerHour: number, hours: number, session: string, seed: number) =>
  generateArrivals({ pattern, ratePerHour, hours, session: parseDistribution(session), seed });

function checkInvariants(r: SimulationResult, model: Model) {
  // Every player is served or counted as turned away.
  let served = 0;
  for (let i = 0; i < r.players; i++) {
    const s = r.servedBy[i]!;
    if (s >= 0) {
      served++;
      expect(r.waits[i]).toBeGreaterThanOrEqual(0);
    } else expect(r.waits[i]).toBeNaN();
  }
  expect(served + r.turnedAway.queueFull + r.turnedAway.timeout + r.turnedAway.gaveUp).toBe(r.players);
  // No pod ever holds two players: the stream intervals of one pod never overlap.
  const byPod = new Map<number, [number, number][]>();
  for (let i = 0; i < r.players; i++) {
    const pod = r.servedBy[i]!;
    if (pod < 0) continue;
    const list = byPod.get(pod) ?? [];
    list.push([r.streamStart[i]!, r.streamEnd[i]!]);
    byPod.set(pod, list);
  }
  for (const list of byPod.values()) {
    list.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < list.length; k++) expect(list[k]![0]).toBeGreaterThanOrEqual(list[k - 1]![1]);
  }
  // GPU-hours equal the integral of pods holding a GPU.
  const integral = r.podGpuIntervals.reduce((sum, [a, b]) => sum + (b - a), 0) * model.gpusPerPod;
  expect(r.gpuSeconds).toBeCloseTo(integral, 3);
  expect(r.busyGpuSeconds).toBeLessThanOrEqual(r.gpuSeconds + 1e-6);
}

describe('invariants on random traces', () => {
  const arrival = fc.record({
    at: fc.double({ min: 0, max: 7200, noNaN: true }),
    session: fc.double({ min: 1, max: 3000, noNaN: true }),
  });
  it('hold for every policy, deletion order, drain timeout and node shape', () => {
    fc.assert(
      fc.property(
        fc.array(arrival, { maxLength: 150 }),
        fc.constantFrom('original', 'buffer-0', 'buffer-2', 'adaptive', 'configured'),
        fc.constantFrom('cost' as const, 'arbitrary' as const),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (raw, name, deletionOrder, drainTimeoutSeconds, gpusPerNode, seed) => {
          const arrivals: Arrival[] = [...raw].sort((a, b) => a.at - b.at);
          const policy =
            name === 'original'
              ? originalPolicy(kit)
              : name === 'adaptive'
                ? adaptivePolicy(kit)
                : name === 'configured'
                  ? configuredPolicy(kit)
                  : bufferPolicy(kit, Number(name.slice(7)));
          const model: Model = {
            ...DEFAULT_MODEL,
            deletionOrder,
            drainTimeoutSeconds,
            gpusPerNode,
            maxNodes: 6,
            queueMax: 20,
            giveUp: parseDistribution('exp:120'),
          };
          const r = simulate({ arrivals, horizonSeconds: 7200, policy, model, seed });
          checkInvariants(r, model);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('node-level cold-start cuts', () => {
  // One warm pod, no buffer: the second player needs a new pod. Without a warm node it waits for a node
  // (120 s) and a cold pull (60 s); a balloon's node is taken at once, and pre-pulled it has the image.
  const arrivals = [
    { at: 100, session: 3000 },
    { at: 400, session: 3000 },
  ];
  const run = (name: string) =>
    simulate({
      arrivals,
      horizonSeconds: 3600,
      policy: builtInPolicy(name, loadKitConfig({ STREAM_BUFFER_MODE: 'fixed', STREAM_BUFFER: '0' }))!,
      model: crisp,
      seed: 5,
    });
  it('a balloon with pre-pull starts the next pod on a warm node; without them it waits for node and pull', () => {
    const cold = run('buffer-0');
    const balloon = run('buffer-0+balloon-1');
    const warm = run('buffer-0+balloon-1+prepull');
    for (const r of [cold, balloon, warm]) checkInvariants(r, crisp);
    // Metrics path and HPA sync take up to ~45 s in all three; then the start-up itself differs.
    expect(cold.waits[1]).toBeGreaterThan(120 + 60 + 20);
    expect(balloon.waits[1]).toBeLessThan(cold.waits[1]! - 100); // no node wait, still a cold pull
    expect(balloon.waits[1]).toBeGreaterThan(60);
    expect(warm.waits[1]).toBeLessThan(balloon.waits[1]! - 50); // image already there
    // The preempted balloon asks the cluster autoscaler for a node of its own: one more node is billed.
    expect(balloon.nodesCreated).toBe(cold.nodesCreated + 1);
    expect(warm.nodeGpuSeconds).toBeGreaterThan(cold.nodeGpuSeconds);
  });
});

describe('known answers', () => {
  it('steady arrivals well below capacity with buffer 1: nobody waits after warm-up', () => {
    // One player every 10 minutes for 5 minutes: at most one stream at a time, so one free pod always covers
    // the next arrival once the second pod is up (its start-up takes minutes, the warm-up is one hour).
    const arrivals = Array.from({ length: 60 }, (_, i) => ({ at: 600 + i * 600, session: 300 }));
    const r = simulate({
      arrivals,
      horizonSeconds: 11 * 3600,
      policy: bufferPolicy(kit, 1),
      model: crisp,
      seed: 7,
    });
    checkInvariants(r, crisp);
    for (let i = 0; i < r.players; i++) {
      if (arrivals[i]!.at < 3600) continue;
      expect(r.waits[i], `player ${i}`).toBe(0);
    }
    // ... and it does so with two pods, not more: demand is 1 stream + 1 buffer.
    expect(Math.max(...r.series.replicas)).toBe(2);
  });

  it("the original kit's ratio policy queues groups of players that buffer-3 serves at once", () => {
    // Three players arrive together every 20 minutes and stream for 10.
    const arrivals = Array.from({ length: 3 * 36 }, (_, i) => ({
      at: 1200 * (1 + Math.floor(i / 3)),
      session: 600,
    }));
    const run = (p: ReturnType<typeof bufferPolicy>) =>
      simulate({ arrivals, horizonSeconds: 13 * 3600, policy: p, model: crisp, seed: 3 });
    const original = summarize(run(originalPolicy(kit)));
    const buffered = run(bufferPolicy(kit, 3));
    const b = summarize(buffered);
    // The original scales down to one pod between groups (30 s window), so two of every three players wait
    // for metrics, an HPA sync and a pod start on a node that is still warm (~half a minute).
    expect(original.over5s).toBeGreaterThan(0.6);
    expect(original.waitP95).toBeGreaterThan(20);
    // buffer-3 keeps three free streams: after its first group every player streams at once.
    for (let i = 3; i < buffered.players; i++) expect(buffered.waits[i]).toBe(0);
    expect(b.over5s).toBeLessThan(0.05);
    // ... and pays for it in GPU time.
    expect(b.gpuHours).toBeGreaterThan(original.gpuHours);
  });

  it('deletion by pod-deletion-cost never drains a live session; arbitrary order can', () => {
    const arrivals = trace('smse', 30, 12, 'lognormal:600,1800', 11);
    const base = { arrivals, horizonSeconds: 12 * 3600, policy: bufferPolicy(kit, 2), seed: 11 };
    const withCost = simulate({ ...base, model: { ...crisp, drainTimeoutSeconds: 0, maxNodes: 30 } });
    const arbitrary = simulate({
      ...base,
      model: { ...crisp, drainTimeoutSeconds: 0, maxNodes: 30, deletionOrder: 'arbitrary' },
    });
    expect(withCost.sessionsCut).toBe(0);
    expect(arbitrary.sessionsCut).toBeGreaterThan(0);
  });
});

describe('determinism', () => {
  const arrivals = trace('diurnal', 25, 24, 'lognormal:600,2400', 5);
  const once = (seed: number) =>
    simulate({
      arrivals,
      horizonSeconds: 24 * 3600,
      policy: adaptivePolicy(kit),
      model: { ...DEFAULT_MODEL, maxNodes: 30 },
      seed,
    });
  it('the same seed gives the same run, bit for bit', () => {
    const a = once(42);
    const b = once(42);
    expect(summarize(a)).toEqual(summarize(b));
    expect(Array.from(a.waits)).toEqual(Array.from(b.waits));
    expect(a.series).toEqual(b.series);
  });
  it('another seed gives another run (pod start-up times differ)', () => {
    expect(summarize(once(43))).not.toEqual(summarize(once(42)));
  });
  it('generators replay the same trace for a seed, and another for another seed', () => {
    const gen = (seed: number) => trace('flash', 50, 6, 'exp:600', seed);
    expect(gen(9)).toEqual(gen(9));
    expect(gen(9)).not.toEqual(gen(10));
  });
});
