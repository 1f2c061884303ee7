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
  /** measured like the kit's rules: mean pod creation → Ready over pods Ready in the last 6 h */
  readonly podReadySeconds: number | undefined;
  /** measured like the kit's rules: mean GPU node request → Ready over nodes Ready in the last day */
  readonly nodeReadySeconds: number | undefined;
}

/** Node-level cold-start cuts a policy deploys besides its HPA (k8s/balloon.ts, k8s/prepull.ts). */
export interface WarmNodes {
  /** placeholder pods at a negative priority, each holding a GPU a streamer pod can preempt */
  readonly balloons: number;
  /** a DaemonSet pulls the streamer image as soon as a GPU node is Ready */
  readonly prepull: boolean;
}

export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly hpa: HpaSpec;
  /** Object metric value; undefined = the adapter has no value (missing metric). */
  objectValue(metric: string, ctx: ObjectContext): number | undefined;
  /** Pods metric value for one pod; undefined = no such per-pod metric. */
  podValue(metric: string, gauges: PodGauges): number | undefined;
  /** balloons and image pre-pull; default none */
  readonly warm?: WarmNodes;
  /** .env values that deploy this policy, or the reasons it cannot be expressed in the kit's config. */
  readonly apply: { values: Record<string, string | number> } | { problems: string[] };
}
