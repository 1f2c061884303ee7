// The KEDA alternative to prometheus-adapter + HPA (AUTOSCALER=keda): a ScaledObject whose Prometheus
// trigger runs exactly the query the adapter renders for the pool's Service (support/scaler-queries.ts),
// with the same target type and value, bounds and behavior — so both paths scale on the same numbers —
// plus one cron trigger per PREWARM_SCHEDULE window (KEDA takes the largest of its triggers, like the
// demand rule's max with the scheduled minimum). KEDA creates and owns the HPA (named after the pool).
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { PrewarmWindow } from '../common/prewarm-schedule.js';
import { behaviorSpec, scaledMetadata, scaleTarget, type ScalingProps } from './autoscaling.js';

/** KEDA polls its triggers this often; the HPA it creates syncs on its own 15 s period. */
const KEDA_POLLING_SECONDS = 15;

/** A daily window as KEDA cron triggers write it (minute hour, every day, UTC like PromQL's hour()). */
function cronTrigger(w: PrewarmWindow): { type: 'cron'; metadata: Record<string, string> } {
  const at = (minute: number) => `${minute % 60} ${Math.floor(minute / 60) % 24} * * *`;
  return {
    type: 'cron',
    metadata: {
      timezone: 'Etc/UTC',
      start: at(w.startMinute),
      end: at(w.endMinute),
      desiredReplicas: String(w.replicas),
    },
  };
}

export interface KedaProps extends ScalingProps {
  /** The Prometheus KEDA's trigger queries. */
  readonly prometheusUrl: string;
  /** The PromQL of `metric`, exactly as the adapter renders it for the pool's Service (support/scaler-queries.ts). */
  readonly query: string;
  /**
   * Daily pre-warming windows, a cron trigger each.
   * @default [] (none)
   */
  readonly prewarmWindows?: readonly PrewarmWindow[];
}

export class KedaScaledObject extends Construct {
  constructor(scope: Construct, id: string, props: KedaProps) {
    super(scope, id);
    const source = props.metric;
    new ApiObject(this, 'scaledobject', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: scaledMetadata(props),
      spec: {
        scaleTargetRef: scaleTarget(props),
        minReplicaCount: props.minReplicas ?? 1,
        maxReplicaCount: props.maxReplicas,
        pollingInterval: KEDA_POLLING_SECONDS,
        advanced: {
          horizontalPodAutoscalerConfig: {
            name: scaledMetadata(props).name,
            behavior: behaviorSpec(props.behavior),
          },
        },
        triggers: [
          {
            type: 'prometheus',
            name: source.metric,
            metricType: source.target,
            metadata: {
              serverAddress: props.prometheusUrl,
              query: props.query,
              threshold: String(props.target),
            },
          },
          ...(props.prewarmWindows ?? []).map(cronTrigger),
        ],
      },
    });
  }
}
