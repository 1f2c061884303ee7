// The KEDA path (AUTOSCALER=keda) as synthesized from a .env with a pre-warming schedule: a ScaledObject
// valid against KEDA's schema instead of the HPA, with the adapter's own query, target, bounds and
// behaviour, one cron trigger per window, and the schedule reaching the demand recording rule too.
import { describe, expect, it } from 'vitest';
import { ADAPTER } from '../common/metric-names.js';
import { serviceMetricQuery } from '../support/index.js';
import { monitoringOptions } from './kit-chart.js';
import { VARIANT_ENVS, all, find, synthesizer } from './testing/manifests.js';
import { KEDA_ENV } from './testing/warm.js';

const synth = synthesizer('k8s-keda-');
const defaults = synth('default', VARIANT_ENVS['.env.example']());
const keda = synth('keda', KEDA_ENV);

describe('warm capacity objects', () => {
  it('KEDA: a ScaledObject valid against KEDA’s schema, with the adapter’s query, target, bounds, behavior and cron windows', () => {
    const c = keda.config;
    expect(all(keda, 'HorizontalPodAutoscaler')).toEqual([]);
    // find() validates it against KEDA's published schema.
    expect(() => find(keda, 'ScaledObject', 'streamer')).not.toThrow();
    const so = find(keda, 'ScaledObject', 'streamer');
    expect(so.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'streamer' });
    expect([so.spec?.minReplicaCount, so.spec?.maxReplicaCount]).toEqual([
      c.HPA_MIN_REPLICAS,
      c.HPA_MAX_REPLICAS,
    ]);
    const [prom, ...crons] = so.spec?.triggers ?? [];
    expect(prom?.type).toBe('prometheus');
    expect(prom?.metricType).toBe('AverageValue');
    expect(prom?.metadata).toEqual({
      serverAddress: c.KEDA_PROMETHEUS_URL,
      query: serviceMetricQuery(ADAPTER.demand, 'games', monitoringOptions(c)),
      threshold: '1',
    });
    expect(prom?.metadata.query).toContain('namespace="games",service="streamer"');
    expect(crons).toEqual([
      {
        type: 'cron',
        metadata: { timezone: 'Etc/UTC', start: '30 17 * * *', end: '0 21 * * *', desiredReplicas: '12' },
      },
      {
        type: 'cron',
        metadata: { timezone: 'Etc/UTC', start: '0 22 * * *', end: '0 0 * * *', desiredReplicas: '4' },
      },
    ]);
    // The HPA KEDA creates behaves as the kit's own HPA would.
    const hpa = find(defaults, 'HorizontalPodAutoscaler', 'streamer');
    expect(so.spec?.advanced?.horizontalPodAutoscalerConfig).toEqual({
      name: 'streamer',
      behavior: hpa.spec?.behavior,
    });
    // The schedule also reaches the HPA path, through the recording rule the demand reads.
    const rules = (find(keda, 'PrometheusRule', 'pixelstream').spec.groups ?? []).flatMap(
      (g) => g.rules ?? [],
    );
    const sched = rules.find((r) => r.record === 'namespace_service:pixelstream_scheduled_min');
    expect(sched?.expr).toContain('>= 1050 < 1260');
  });
});
