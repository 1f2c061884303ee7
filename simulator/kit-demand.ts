// pixelstream_demand as the kit deploys it, evaluated on the simulator's scrape: allocated + queued + the
// warm buffer (fixed, or the adaptive formula of support/warm-capacity.ts over the measured arrival rate
// and start-up times), floored by the pre-warming schedule — what support/capacity-rules.ts records and
// the adapter rule reads. Simulated time 0 is 00:00 UTC, so schedule windows line up with the trace.
import { scheduledMinimum, type PrewarmWindow } from '../common/prewarm-schedule.js';
import { ADAPTER } from '../common/metric-names.js';
import { WARM_FALLBACK, warmBufferValue } from '../support/warm-capacity.js';
import { adapterMetric } from './metrics-path.js';
import type { ObjectContext } from './policy.js';

export interface BufferSpec {
  readonly mode: 'fixed' | 'adaptive';
  /** the fixed buffer */
  readonly buffer: number;
  /** the adaptive buffer's bounds */
  readonly min: number;
  readonly max: number;
  readonly schedule: readonly PrewarmWindow[];
}

/** The warm buffer the kit's rule records now. */
export function kitBuffer(spec: BufferSpec, ctx: ObjectContext): number {
  if (spec.mode === 'fixed') return spec.buffer;
  return warmBufferValue(
    {
      arrivalRate: ctx.arrivalRate,
      podReadySeconds: ctx.podReadySeconds ?? WARM_FALLBACK.podReadySeconds,
      nodeReadySeconds: ctx.nodeReadySeconds ?? WARM_FALLBACK.nodeReadySeconds,
    },
    { min: spec.min, max: spec.max },
  );
}

export function kitDemand(spec: BufferSpec, ctx: ObjectContext): number | undefined {
  const base = adapterMetric(ADAPTER.demand, ctx.snapshot, 0);
  if (base === undefined) return undefined;
  return Math.max(base + kitBuffer(spec, ctx), scheduledMinimum(spec.schedule, ctx.snapshot.time));
}
