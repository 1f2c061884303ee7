// The KEDA alternative to prometheus-adapter + HPA (AUTOSCALER=keda): a ScaledObject whose Prometheus
// trigger runs exactly the query the adapter renders for the pool's Service (support/scaler-queries.ts),
// with the same target type and value, bounds and behavior — so both paths scale on the same numbers —
// plus one cron trigger per PREWARM_SCHEDULE window (KEDA takes the largest of its triggers, like the
// demand rule's max with the scheduled minimum). KEDA creates and owns the HPA (named after the pool).
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { parsePrewarmSchedule, type PrewarmWindow } from '../common/prewarm-schedule.js';
import { serviceMetricQuery } from '../support/index.js';
import { monitoringOptions } from './monitoring.js';
import { commonLabels } from './names.js';
import type { Pool } from './pools.js';
import { behaviorSpec, metricSource } from './autoscaling.js';

/** KEDA polls its triggers this often; the HPA it creates syncs on its own 15 s period. */
export const KEDA_POLLING_SECONDS = 15;

/** A daily window as KEDA cron triggers write it (minute hour, every day, UTC like PromQL's hour()). */
export function cronTrigger(w: PrewarmWindow): { type: 'cron'; metadata: Record<string, string> } {
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

export interface KedaProps {
  readonly config: KitConfig;
  /** The pool scaled: its Deployment, Service, bounds, and whether PREWARM_SCHEDULE applies. */
  readonly pool: Pool;
}

export class KedaScaledObject extends Construct {
  constructor(scope: Construct, id: string, props: KedaProps) {
    super(scope, id);
    const { config: c, pool } = props;
    const source = metricSource(c);
    const windows = pool.prewarm ? parsePrewarmSchedule(c.PREWARM_SCHEDULE) : [];
    if ('problems' in windows) throw new Error(windows.problems.join('; '));
    new ApiObject(this, 'scaledobject', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: pool.name, namespace: c.NAMESPACE, labels: commonLabels(pool.component) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: pool.name },
        minReplicaCount: pool.minReplicas,
        maxReplicaCount: pool.maxReplicas,
        pollingInterval: KEDA_POLLING_SECONDS,
        advanced: {
          horizontalPodAutoscalerConfig: { name: pool.name, behavior: behaviorSpec(c) },
        },
        triggers: [
          {
            type: 'prometheus',
            name: source.metric,
            metricType: source.target,
            metadata: {
              serverAddress: c.KEDA_PROMETHEUS_URL,
              query: serviceMetricQuery(source.metric, c.NAMESPACE, {
                ...monitoringOptions(c),
                streamerService: pool.name,
              }),
              threshold: String(c.HPA_TARGET),
            },
          },
          ...windows.map(cronTrigger),
        ],
      },
    });
  }
}
