// Everything about the simulated cluster that is not the autoscaling policy: pod start-up, GPU nodes and the
// cluster autoscaler, the metrics path and the router. Defaults are typical of a GPU pool in a public cloud
// with a multi-gigabyte Unreal image; every value can be overridden from the CLI or a policy file's `model:`.
import { ADAPTER_RELIST_SECONDS } from '../common/hpa-behavior.js';
import { parseDistribution, type Distribution } from './distribution.js';
import type { Packing } from './gpu-packing.js';

export type DeletionOrder = 'cost' | 'arbitrary';

export interface Model {
  // --- pods ---
  /** kube-scheduler binding delay once a GPU is free */
  readonly scheduling: Distribution;
  /** image pull on a node that has never pulled the image */
  readonly imagePull: Distribution;
  /** image pull on a node that already holds the image (layers cached) */
  readonly imagePullCached: Distribution;
  /** container start to streamer connected and readiness probe passing */
  readonly appStart: Distribution;
  /** an idle pod's exit after SIGTERM (GPU still held meanwhile) */
  readonly terminationSeconds: number;
  /** ReplicaSet victim choice: 'cost' = the sidecar's pod-deletion-cost (idle first), 'arbitrary' = none */
  readonly deletionOrder: DeletionOrder;
  readonly gpusPerPod: number;
  readonly drainTimeoutSeconds: number;

  // --- GPU sharing (simulator/gpu-packing.ts) ---
  /** streams one GPU carries: 1 = a GPU per stream, N = time-slicing:N or N MIG instances */
  readonly streamsPerGpu: number;
  /** each stream on a GPU runs this much slower per other stream on it (0.1 = 10 %); also slows app start */
  readonly coTenantSlowdown: number;
  /** node choice: 'pack' = fullest node with room first (the kit's affinity/profile), 'spread' = emptiest */
  readonly packing: Packing;

  // --- nodes (cluster autoscaler) ---
  readonly gpusPerNode: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** node request to Ready (instance boot, GPU driver, device plugin) */
  readonly nodeStartup: Distribution;
  /** cluster-autoscaler --scan-interval */
  readonly caScanSeconds: number;
  /** cluster-autoscaler --scale-down-unneeded-time for an empty node */
  readonly nodeUnneededSeconds: number;

  // --- metrics path ---
  /** Prometheus scrape interval of the sidecars and the router */
  readonly scrapeIntervalSeconds: number;
  /** extra staleness between a scrape and what the adapter answers (rule evaluation, caching) */
  readonly adapterDelaySeconds: number;
  /** prometheus-adapter --metrics-relist-interval: a new series is served only after a relist */
  readonly adapterRelistSeconds: number;
  /** window of the arrival-rate estimate the adaptive policy uses (rate(...[5m])) */
  readonly rateWindowSeconds: number;

  // --- router ---
  readonly queueMax: number;
  readonly queueTimeoutSeconds: number;
  /** player patience in the queue (besides the router's timeout); undefined = players wait for the timeout */
  readonly giveUp: Distribution | undefined;
}

export const DEFAULT_MODEL: Model = {
  scheduling: parseDistribution('fixed:1'),
  imagePull: parseDistribution('lognormal:120,300'),
  imagePullCached: parseDistribution('fixed:2'),
  appStart: parseDistribution('lognormal:25,60'),
  terminationSeconds: 5,
  deletionOrder: 'cost',
  gpusPerPod: 1,
  drainTimeoutSeconds: 3600,
  streamsPerGpu: 1,
  coTenantSlowdown: 0.1,
  packing: 'pack',
  gpusPerNode: 1,
  minNodes: 0,
  maxNodes: 20,
  nodeStartup: parseDistribution('lognormal:240,420'),
  caScanSeconds: 10,
  nodeUnneededSeconds: 600,
  scrapeIntervalSeconds: 15,
  adapterDelaySeconds: 0,
  adapterRelistSeconds: ADAPTER_RELIST_SECONDS,
  rateWindowSeconds: 300,
  queueMax: 200,
  queueTimeoutSeconds: 300,
  giveUp: undefined,
};
