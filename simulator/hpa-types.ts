// The HorizontalPodAutoscaler (autoscaling/v2) spec as far as the simulator models it, with the API server's
// defaulting. Field names follow the Kubernetes API so a policy reads like the manifest it becomes.
import { HPA_TOLERANCE } from '../common/hpa-replicas.js';

export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: SelectPolicy;
  readonly policies?: readonly ScalingPolicy[];
  /** Per-direction tolerance (Kubernetes 1.33+ `HPAConfigurableTolerance`); defaults to the controller's. */
  readonly tolerance?: number;
}

export interface Behavior {
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

export interface MetricTarget {
  readonly type: 'Value' | 'AverageValue';
  readonly value: number;
}

/** An Object metric (one value describing the streamer Service) or a Pods metric (one value per pod). */
export interface HpaMetric {
  readonly source: 'Object' | 'Pods';
  readonly name: string;
  readonly target: MetricTarget;
}

export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: readonly HpaMetric[];
  /** Absent: the controller's legacy normalisation (no policies), exactly as when a manifest omits it. */
  readonly behavior?: Behavior;
}

/** Controller flags (kube-controller-manager) that shape the algorithm. */
export interface ControllerFlags {
  /** --horizontal-pod-autoscaler-sync-period */
  readonly syncPeriodSeconds: number;
  /** --horizontal-pod-autoscaler-tolerance */
  readonly tolerance: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization, used when scaleDown leaves the window unset */
  readonly downscaleStabilizationSeconds: number;
}

export const DEFAULT_CONTROLLER_FLAGS: ControllerFlags = {
  syncPeriodSeconds: 15,
  tolerance: HPA_TOLERANCE,
  downscaleStabilizationSeconds: 300,
};

export interface ResolvedRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: SelectPolicy;
  readonly policies: readonly ScalingPolicy[];
  readonly tolerance: number;
}

export interface ResolvedBehavior {
  readonly scaleUp: ResolvedRules;
  readonly scaleDown: ResolvedRules;
}

/** The API server's defaulting of `behavior` (only when behavior is present at all). */
export function resolveBehavior(behavior: Behavior, flags: ControllerFlags): ResolvedBehavior {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? 'Max',
      policies: up.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      tolerance: up.tolerance ?? flags.tolerance,
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? flags.downscaleStabilizationSeconds,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      tolerance: down.tolerance ?? flags.tolerance,
    },
  };
}

/** What the controller reads on one sync. Values are floats; the controller works in milli-units. */
export interface HpaObservation {
  /** scale subresource spec.replicas (the Deployment's desired count) */
  readonly specReplicas: number;
  /** scale subresource status.replicas (non-terminating pods) */
  readonly statusReplicas: number;
  /** pods Running with condition Ready (draining pods fail readiness) */
  readonly readyPods: number;
  /** Object metric value, or undefined when the adapter has no value (missing metric). */
  objectMetric(name: string): number | undefined;
  /** Per-pod values of a Pods metric for non-terminating pods; undefined value = no sample yet. */
  podMetric(name: string): readonly PodSample[] | undefined;
}

export interface PodSample {
  /** Phase Pending (unscheduled, binding, pulling the image): left out, or counted as 0 on a scale-up. */
  readonly pending: boolean;
  /** The pod's value; undefined = Running without a sample yet (0 on a scale-up, the target on a scale-down). */
  readonly value: number | undefined;
}
