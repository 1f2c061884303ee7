// The kit's demand in the simulator reads the one warm-capacity formula and the schedule as the rules do.
import { describe, expect, it } from 'vitest';
import { warmBufferValue, WARM_FALLBACK } from '../support/warm-capacity.js';
import { kitBuffer, kitDemand, type BufferSpec } from './kit-demand.js';
import type { Snapshot } from './metrics-path.js';
import type { ObjectContext } from './policy.js';

const snapshot = (time: number): Snapshot => ({
  time,
  scrapedPods: 4,
  allocated: 3,
  available: 1,
  streamers: 4,
  players: 3,
  draining: 0,
  queued: 1,
  arrivalsTotal: 10,
  perPod: new Map(),
});
const ctx = (over: Partial<ObjectContext> = {}): ObjectContext => ({
  snapshot: snapshot(0),
  arrivalRate: 0.01,
  startupSeconds: 30,
  podReadySeconds: 200,
  nodeReadySeconds: 300,
  ...over,
});
const adaptive: BufferSpec = { mode: 'adaptive', buffer: 0, min: 1, max: 8, schedule: [] };

describe('kit demand in the simulator', () => {
  it('adaptive: ⌈λ × max(T_pod, T_node)⌉ within the bounds, with the fallbacks before anything is measured', () => {
    expect(kitBuffer(adaptive, ctx())).toBe(3); // 0.01 × 300
    expect(kitBuffer(adaptive, ctx({ arrivalRate: 1 }))).toBe(8);
    expect(kitBuffer(adaptive, ctx({ arrivalRate: 0 }))).toBe(1);
    expect(kitBuffer(adaptive, ctx({ podReadySeconds: undefined, nodeReadySeconds: undefined }))).toBe(
      warmBufferValue({ arrivalRate: 0.01, ...WARM_FALLBACK }, { min: 1, max: 8 }),
    );
    expect(kitBuffer({ ...adaptive, mode: 'fixed', buffer: 5 }, ctx())).toBe(5);
  });

  it('demand = allocated + queued + buffer, floored by the scheduled minimum (time 0 = 00:00 UTC)', () => {
    const spec = { ...adaptive, schedule: [{ startMinute: 60, endMinute: 120, replicas: 12 }] };
    expect(kitDemand(spec, ctx())).toBe(3 + 1 + 3);
    expect(kitDemand(spec, ctx({ snapshot: snapshot(3600) }))).toBe(12);
    expect(kitDemand(spec, ctx({ snapshot: snapshot(86_400 + 5400) }))).toBe(12);
    expect(kitDemand(spec, ctx({ snapshot: { ...snapshot(0), scrapedPods: 0 } }))).toBeUndefined();
  });
});
