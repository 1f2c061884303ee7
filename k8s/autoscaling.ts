// A pool's HorizontalPodAutoscaler, driven by one custom metric the prometheus-adapter describes on the
// pool's Service (`streamer`, or `processor`: support/ adapter rules). The metric names are imported, never retyped.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { HpaMetric } from '../common/kit-config.js';
import type { HpaBehavior } from '../common/hpa-behavior.js';
import { ADAPTER } from '../common/metric-names.js';
import { STREAMER_COMPONENT } from '../common/pod-marks.js';
import { NAMES, commonLabels } from './names.js';

/** An adapter metric on a pool's Service and how its target is read. */
export interface ScalingMetric {
  readonly metric: string;
  readonly target: 'AverageValue' | 'Value';
}

/** What scales a pool, whichever autoscaler applies it (this HPA, or KEDA's, keda.ts). */
export interface ScalingProps {
  /** Namespace of the pool. */
  readonly namespace: string;
  /**
   * The pool's Deployment and Service, and the autoscaler's own name.
   * @default 'streamer'
   */
  readonly name?: string;
  /**
   * The pool's `app.kubernetes.io/component` (the autoscaler's labels).
   * @default 'streamer'
   */
  readonly component?: string;
  /** The metric the replica count follows (HPA_METRIC_SOURCES). */
  readonly metric: ScalingMetric;
  /** Its target value: per pod for AverageValue, for the whole pool for Value. */
  readonly target: number;
  /**
   * Fewest pods.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /** How fast the count may move up and down (common/hpa-behavior.ts). */
  readonly behavior: HpaBehavior;
}

export type AutoscalingProps = ScalingProps;

/**
 * Which adapter metric and target type each HPA_METRIC means. `demand` (allocated + queued + buffer) with
 * AverageValue keeps exactly STREAM_BUFFER streams free; `ratio` is the original kit's players-per-stream
 * Value. `available` is absent on purpose: more free streams would ask for more pods (see k8s/README.md).
 */
export const HPA_METRIC_SOURCES: Record<
  Exclude<HpaMetric, 'available'>,
  { metric: string; target: 'AverageValue' | 'Value' }
> = {
  demand: { metric: ADAPTER.demand, target: 'AverageValue' },
  ratio: { metric: ADAPTER.poolRatio, target: 'Value' },
};

/** Decimal targets as milli-quantities (0.9 → "900m"), which is how the API server stores them. */
export function targetQuantity(value: number): k8s.Quantity {
  return Number.isInteger(value)
    ? k8s.Quantity.fromNumber(value)
    : k8s.Quantity.fromString(`${Math.round(value * 1000)}m`);
}

/** The adapter metric and target type HPA_METRIC names; `available` is refused (see HPA_METRIC_SOURCES). */
export function metricSource(metric: HpaMetric): ScalingMetric {
  if (metric === 'available')
    throw new Error('HPA_METRIC=available cannot drive an autoscaler (checked by kitManifestProblems)');
  return HPA_METRIC_SOURCES[metric];
}

/** The behavior block both the HPA and KEDA's HPA config carry, as plain mutable objects. */
export function behaviorSpec(behavior: HpaBehavior) {
  return {
    scaleUp: { ...behavior.scaleUp, policies: [...behavior.scaleUp.policies] },
    scaleDown: { ...behavior.scaleDown, policies: [...behavior.scaleDown.policies] },
  };
}

/** The Deployment either autoscaler scales. */
export function scaleTarget(p: ScalingProps) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: p.name ?? NAMES.streamer };
}

/** Name, namespace and labels of the object that scales a pool (HPA or ScaledObject). */
export function scaledMetadata(p: ScalingProps) {
  return {
    name: p.name ?? NAMES.streamer,
    namespace: p.namespace,
    labels: commonLabels(p.component ?? STREAMER_COMPONENT),
  };
}

export class Autoscaling extends Construct {
  readonly hpa: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: AutoscalingProps) {
    super(scope, id);
    const source = props.metric;
    const quantity = targetQuantity(props.target);
    this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      metadata: scaledMetadata(props),
      spec: {
        scaleTargetRef: scaleTarget(props),
        minReplicas: props.minReplicas ?? 1,
        maxReplicas: props.maxReplicas,
        metrics: [
          {
            type: 'Object',
            object: {
              describedObject: { apiVersion: 'v1', kind: 'Service', name: props.name ?? NAMES.streamer },
              metric: { name: source.metric },
              target:
                source.target === 'AverageValue'
                  ? { type: 'AverageValue', averageValue: quantity }
                  : { type: 'Value', value: quantity },
            },
          },
        ],
        behavior: behaviorSpec(props.behavior),
      },
    });
  }
}
