// The horizontal pod autoscaler's decision, reproduced from the controller's algorithm (replica calculator,
// recommendation stabilisation, behavior rate limits, the legacy path when `behavior` is absent). Pure apart
// from the controller's own memory (recommendations and scale events), which lives in this object exactly
// as it lives in kube-controller-manager, keyed by one HPA.
import {
  DEFAULT_CONTROLLER_FLAGS,
  resolveBehavior,
  type ControllerFlags,
  type HpaMetric,
  type HpaObservation,
  type HpaSpec,
  type ResolvedBehavior,
  type ResolvedRules,
} from './hpa-types.js';
import {
  averageValueTargetReplicas,
  symmetricTolerance,
  valueTargetReplicas,
  type Tolerances,
} from '../common/hpa-replicas.js';
import { podsMetricReplicas } from './pods-metric.js';
import { adapterMilli, milli } from './quantities.js';

export interface SyncResult {
  readonly desiredReplicas: number;
  readonly rescale: boolean;
  /** Why: metric proposal, clamp, limit, or the metric error that stopped the sync. */
  readonly reason: string;
  /** Largest metric proposal before normalisation; undefined when metrics failed. */
  readonly metricProposal?: number;
}

interface Recommendation {
  replicas: number;
  time: number;
}
interface ScaleEvent {
  change: number;
  time: number;
  outdated: boolean;
}

/** Scale-up limit without behavior (legacy): at most double, at least 4. */
const LEGACY_SCALE_UP_FACTOR = 2;
const LEGACY_SCALE_UP_MINIMUM = 4;

export class HpaController {
  private readonly behavior: ResolvedBehavior | undefined;
  /** the band per direction: the behavior's (already defaulted to the flag) or the controller flag's */
  private readonly tolerances: Tolerances;
  private recommendations: Recommendation[] = [];
  private readonly upEvents: ScaleEvent[] = [];
  private readonly downEvents: ScaleEvent[] = [];

  constructor(
    readonly spec: HpaSpec,
    readonly flags: ControllerFlags = DEFAULT_CONTROLLER_FLAGS,
  ) {
    this.behavior = spec.behavior === undefined ? undefined : resolveBehavior(spec.behavior, flags);
    this.tolerances =
      this.behavior === undefined
        ? symmetricTolerance(flags.tolerance)
        : { up: this.behavior.scaleUp.tolerance, down: this.behavior.scaleDown.tolerance };
  }

  /** One reconcile at time `now` (seconds). */
  sync(now: number, obs: HpaObservation): SyncResult {
    const { minReplicas, maxReplicas } = this.spec;
    const current = obs.specReplicas;
    if (current === 0 && minReplicas !== 0) {
      return { desiredReplicas: 0, rescale: false, reason: 'ScalingDisabled' };
    }
    let desired: number;
    let reason: string;
    let metricProposal: number | undefined;
    if (current > maxReplicas) {
      desired = maxReplicas;
      reason = 'AboveMaxReplicas';
    } else if (current < minReplicas) {
      desired = minReplicas;
      reason = 'BelowMinReplicas';
    } else {
      const computed = this.computeReplicasForMetrics(obs);
      if (typeof computed === 'string') {
        return { desiredReplicas: current, rescale: false, reason: computed };
      }
      metricProposal = computed;
      desired = computed;
      reason = 'MetricProposal';
      desired =
        this.behavior === undefined
          ? this.normalizeLegacy(now, current, desired)
          : this.normalizeWithBehavior(now, current, desired, this.behavior);
    }
    const rescale = desired !== current;
    if (rescale) this.storeScaleEvent(now, current, desired);
    return { desiredReplicas: desired, rescale, reason, metricProposal };
  }

  /** Max over metric proposals; a string (the error) when every metric failed, or when some failed and the
   *  rest would scale down — the controller then leaves the replica count alone. */
  private computeReplicasForMetrics(obs: HpaObservation): number | string {
    let replicas = 0;
    let invalid = 0;
    let lastError = '';
    for (const metric of this.spec.metrics) {
      const proposal = this.proposalFor(metric, obs);
      if (typeof proposal === 'string') {
        invalid++;
        lastError = proposal;
        continue;
      }
      if (proposal > replicas) replicas = proposal;
    }
    if (invalid >= this.spec.metrics.length || (invalid > 0 && replicas < obs.specReplicas)) {
      return lastError || 'NoMetrics';
    }
    return replicas;
  }

  private proposalFor(metric: HpaMetric, obs: HpaObservation): number | string {
    const tolerances = this.tolerances;
    const targetMilli = milli(metric.target.value);
    if (metric.source === 'Object') {
      const raw = obs.objectMetric(metric.name);
      if (raw === undefined || !Number.isFinite(raw)) return `FailedGetObjectMetric:${metric.name}`;
      const usage = adapterMilli(raw);
      if (metric.target.type === 'Value')
        return valueTargetReplicas(usage / targetMilli, obs.specReplicas, obs.readyPods, tolerances);
      return averageValueTargetReplicas(usage, targetMilli, obs.statusReplicas, tolerances);
    }
    const samples = obs.podMetric(metric.name);
    if (samples === undefined) return `FailedGetPodsMetric:${metric.name}`;
    return podsMetricReplicas(samples, targetMilli, obs.specReplicas, tolerances, metric.name);
  }

  /** Without behavior: scale-down stabilisation over the controller-wide window, then the 2×/+4 cap. */
  private normalizeLegacy(now: number, current: number, desired: number): number {
    const cutoff = now - this.flags.downscaleStabilizationSeconds;
    let max = desired;
    let oldIndex = -1;
    this.recommendations.forEach((rec, i) => {
      if (rec.time < cutoff) oldIndex = i;
      else if (rec.replicas > max) max = rec.replicas;
    });
    this.record(oldIndex, desired, now);
    const scaleUpLimit = Math.max(LEGACY_SCALE_UP_FACTOR * current, LEGACY_SCALE_UP_MINIMUM);
    const maximum = Math.min(this.spec.maxReplicas, scaleUpLimit);
    if (max < this.spec.minReplicas) return this.spec.minReplicas;
    if (max > maximum) return maximum;
    return max;
  }

  private normalizeWithBehavior(now: number, current: number, desired: number, b: ResolvedBehavior): number {
    // Stabilise: the lowest recommendation of the scale-up window and the highest of the scale-down
    // window bound the current count.
    const upCutoff = now - b.scaleUp.stabilizationWindowSeconds;
    const downCutoff = now - b.scaleDown.stabilizationWindowSeconds;
    let upRec = desired;
    let downRec = desired;
    let oldIndex = -1;
    this.recommendations.forEach((rec, i) => {
      if (rec.time > upCutoff) upRec = Math.min(rec.replicas, upRec);
      if (rec.time > downCutoff) downRec = Math.max(rec.replicas, downRec);
      if (rec.time < upCutoff && rec.time < downCutoff) oldIndex = i;
    });
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    this.record(oldIndex, desired, now);

    // Rate limits from the policies.
    const { minReplicas, maxReplicas } = this.spec;
    if (stabilized > current) {
      let limit = rateLimit(now, current, this.upEvents, this.downEvents, b.scaleUp, 'up');
      if (limit < current) limit = current;
      const maximum = Math.min(maxReplicas, limit);
      return stabilized > maximum ? maximum : stabilized;
    }
    if (stabilized < current) {
      let limit = rateLimit(now, current, this.upEvents, this.downEvents, b.scaleDown, 'down');
      if (limit > current) limit = current;
      const minimum = Math.max(minReplicas, limit);
      return stabilized < minimum ? minimum : stabilized;
    }
    return stabilized;
  }

  /** The controller reuses the slot of an old sample rather than growing the list. */
  private record(oldIndex: number, replicas: number, now: number): void {
    if (oldIndex >= 0) this.recommendations[oldIndex] = { replicas, time: now };
    else this.recommendations.push({ replicas, time: now });
  }

  private storeScaleEvent(now: number, previous: number, next: number): void {
    if (this.behavior === undefined) return;
    const up = next > previous;
    const events = up ? this.upEvents : this.downEvents;
    const rules = up ? this.behavior.scaleUp : this.behavior.scaleDown;
    const longest = rules.policies.reduce((m, p) => Math.max(m, p.periodSeconds), 0);
    for (const e of events) if (e.time < now - longest) e.outdated = true;
    const change = up ? next - previous : previous - next;
    const slot = events.findIndex((e) => e.outdated);
    if (slot >= 0) events[slot] = { change, time: now, outdated: false };
    else events.push({ change, time: now, outdated: false });
  }

  /** For tests and plots: the recommendations the controller currently remembers. */
  rememberedRecommendations(): readonly { replicas: number; time: number }[] {
    return this.recommendations.map((r) => ({ ...r }));
  }
}

function changeInPeriod(now: number, periodSeconds: number, events: readonly ScaleEvent[]): number {
  const cutoff = now - periodSeconds;
  let sum = 0;
  for (const e of events) if (e.time > cutoff) sum += e.change;
  return sum;
}

/**
 * The replica count the behavior's policies allow at most (scaling up) or at least (scaling down) from
 * `current`, counting the changes already made inside each policy's period. `Max` picks the policy that
 * allows the biggest change: the highest ceiling up, the lowest floor down.
 */
function rateLimit(
  now: number,
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: ResolvedRules,
  direction: 'up' | 'down',
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const highest = (rules.selectPolicy === 'Max') === (direction === 'up');
  let result = highest ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const start =
      current -
      changeInPeriod(now, policy.periodSeconds, ups) +
      changeInPeriod(now, policy.periodSeconds, downs);
    const proposed =
      direction === 'up'
        ? policy.type === 'Pods'
          ? start + policy.value
          : Math.ceil(start * (1 + policy.value / 100))
        : policy.type === 'Pods'
          ? start - policy.value
          : // int32() truncation, as the controller converts the float product
            Math.trunc(start * (1 - policy.value / 100));
    result = highest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
