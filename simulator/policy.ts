// What a scaling policy is to the simulator: the HPA spec it deploys and how each metric it names is
// computed from the scraped gauges (the adapter's definitions for the kit's metrics, an expression for
// user-described ones).
import type { HpaSpec } from './hpa-types.js';
import type { PodGauges, Snapshot } from './metrics-path.js';

export interface ObjectContext {
  readonly snapshot: Snapshot;
  /** arrivals per second over the model's rate window */
  readonly arrivalRate: number;
  /** mean pod start-up (scheduling + cached pull + app start) the model assumes */
  readonly startupSeconds: number;
}

export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly hpa: HpaSpec;
  /** Object metric value; undefined = the adapter has no value (missing metric). */
  objectValue(metric: string, ctx: ObjectContext): number | undefined;
  /** Pods metric value for one pod; undefined = no such per-pod metric. */
  podValue(metric: string, gauges: PodGauges): number | undefined;
  /** .env values that deploy this policy, or the reasons it cannot be expressed in the kit's config. */
  readonly apply: { values: Record<string, string | number> } | { problems: string[] };
}
