// The HorizontalPodAutoscaler as synthesized from each test .env (k8s/testing/manifests.ts): an Object
// metric on Service `streamer` whose name the adapter publishes, the target per HPA_METRIC, bounds and the
// scaling behaviour from the config.
import { describe, expect, it } from 'vitest';
import { ADAPTER } from '../common/metric-names.js';
import { adapterRules } from '../support/index.js';
import { monitoringOptions } from './kit-chart.js';
import { find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-autoscaling-');

describe.each(v.rows)('autoscaling (%s)', (_label, s) => {
  const c = s.config;

  it('HPA: Object metric on Service streamer, name imported from the adapter contract, behaviour from config', () => {
    const hpa = find(s, 'HorizontalPodAutoscaler', 'streamer');
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'streamer' });
    expect(hpa.spec?.minReplicas).toBe(c.HPA_MIN_REPLICAS);
    expect(hpa.spec?.maxReplicas).toBe(c.HPA_MAX_REPLICAS);
    const metric = hpa.spec?.metrics?.[0];
    expect(metric?.type).toBe('Object');
    expect(metric?.object?.describedObject).toEqual({ apiVersion: 'v1', kind: 'Service', name: 'streamer' });
    const published = adapterRules(monitoringOptions(c)).custom.map((r) => r.name.as);
    expect(published).toContain(metric?.object?.metric.name);
    if (c.HPA_METRIC === 'demand') {
      expect(metric?.object?.metric.name).toBe(ADAPTER.demand);
      expect(metric?.object?.target).toEqual({ type: 'AverageValue', averageValue: 1 });
    } else {
      expect(metric?.object?.metric.name).toBe(ADAPTER.poolRatio);
      expect(metric?.object?.target).toEqual({ type: 'Value', value: '900m' });
    }
    expect(hpa.spec?.behavior?.scaleUp).toEqual({
      stabilizationWindowSeconds: c.HPA_SCALE_UP_STABILIZATION_SECONDS,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_UP_PODS, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
        { type: 'Percent', value: c.HPA_SCALE_UP_PERCENT, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
      ],
    });
    expect(hpa.spec?.behavior?.scaleDown).toEqual({
      stabilizationWindowSeconds: c.HPA_SCALE_DOWN_STABILIZATION_SECONDS,
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_DOWN_PODS, periodSeconds: c.HPA_SCALE_DOWN_PERIOD_SECONDS },
      ],
    });
  });
});
