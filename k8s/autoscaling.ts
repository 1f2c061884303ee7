// A pool's HorizontalPodAutoscaler, driven by one custom metric the prometheus-adapter describes on the
// pool's Service (`streamer`, or `processor`: support/ adapter rules). The metric names are imported, never retyped.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { HpaMetric, KitConfig } from '../common/kit-config.js';
import { kitHpaBehavior } from '../common/hpa-behavior.js';
import { ADAPTER } from '../common/metric-names.js';
import { commonLabels } from './names.js';
import type { Pool } from './pools.js';

export interface AutoscalingProps {
  readonly config: KitConfig;
  /** The pool scaled: its Deployment, Service and replica bounds. */
  readonly pool: Pool;
}

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
export function metricSource(c: KitConfig): { metric: string; target: 'AverageValue' | 'Value' } {
  if (c.HPA_METRIC === 'available')
    throw new Error('HPA_METRIC=available cannot drive an autoscaler (checked by kitManifestProblems)');
  return HPA_METRIC_SOURCES[c.HPA_METRIC];
}

/** The behavior block both the HPA and KEDA's HPA config carry, as plain mutable objects. */
export function behaviorSpec(c: KitConfig) {
  const behavior = kitHpaBehavior(c);
  return {
    scaleUp: { ...behavior.scaleUp, policies: [...behavior.scaleUp.policies] },
    scaleDown: { ...behavior.scaleDown, policies: [...behavior.scaleDown.policies] },
  };
}

export class Autoscaling extends Construct {
  readonly hpa: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: AutoscalingProps) {
    super(scope, id);
    const { config: c, pool } = props;
    const source = metricSource(c);
    const quantity = targetQuantity(c.HPA_TARGET);
    this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      metadata: { name: pool.name, namespace: c.NAMESPACE, labels: commonLabels(pool.component) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: pool.name },
        minReplicas: pool.minReplicas,
        maxReplicas: pool.maxReplicas,
        metrics: [
          {
            type: 'Object',
            object: {
              describedObject: { apiVersion: 'v1', kind: 'Service', name: pool.name },
              metric: { name: source.metric },
              target:
                source.target === 'AverageValue'
                  ? { type: 'AverageValue', averageValue: quantity }
                  : { type: 'Value', value: quantity },
            },
          },
        ],
        behavior: behaviorSpec(c),
      },
    });
  }
}
