import { describe, expect, it } from 'vitest';
import { AdapterTemplateError, renderAdapterQuery } from './adapter-query.js';
import { CAPACITY_RECORDED } from './capacity-rules.js';
import { adapterRules } from './adapter-rules.js';
import { ADAPTER, SIDECAR } from '../common/metric-names.js';
import { MonitoringOptionsError } from './options.js';

describe('renderAdapterQuery (the adapter’s template substitution)', () => {
  const t = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';

  it('renders an Object metric on one Service with equality matchers, namespace first', () => {
    expect(
      renderAdapterQuery(t, {
        series: 'm',
        namespace: 'pixel',
        resourceLabel: 'service',
        names: ['streamer'],
      }),
    ).toBe('sum(m{namespace="pixel",service="streamer"}) by (service)');
  });

  it('renders a Pods metric over several pods as one regex matcher', () => {
    expect(
      renderAdapterQuery(t, { series: 'm', namespace: 'pixel', resourceLabel: 'pod', names: ['a', 'b'] }),
    ).toBe('sum(m{namespace="pixel",pod=~"a|b"}) by (pod)');
  });

  it('fails loudly on template fields it does not model', () => {
    expect(() =>
      renderAdapterQuery('<<.LabelValuesByName>>', { series: 'm', resourceLabel: 'pod', names: ['a'] }),
    ).toThrow(AdapterTemplateError);
  });
});

describe('adapterRules', () => {
  it('publishes the four metrics from the shared names, the buffer from the recorded series', () => {
    const rules = adapterRules({ buffer: 3 });
    expect(rules.custom.map((r) => r.name.as)).toEqual([
      ADAPTER.availableCount,
      ADAPTER.poolRatio,
      ADAPTER.demand,
      ADAPTER.playerConnections,
    ]);
    const demand = rules.custom.find((r) => r.name.as === ADAPTER.demand)!;
    // The buffer is not baked in: the kit's PrometheusRule records it from .env.
    expect(demand.metricsQuery).toBe(adapterRules({ buffer: 5 }).custom[2]!.metricsQuery);
    expect(demand.metricsQuery).toContain(`${CAPACITY_RECORDED.buffer}{<<.LabelMatchers>>}`);
    expect(demand.metricsQuery).toContain(`${CAPACITY_RECORDED.scheduledMinimum}{<<.LabelMatchers>>}`);
    expect(demand.seriesQuery).toBe(`${SIDECAR.allocated}{namespace!="",service="streamer"}`);
  });

  it('lists every bad option at once', () => {
    try {
      adapterRules({ buffer: -1, streamerService: 'Bad"Name', gpuMemoryFraction: 2 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MonitoringOptionsError);
      expect((err as MonitoringOptionsError).code).toBe('MONITORING_OPTIONS_INVALID');
      expect((err as MonitoringOptionsError).problems).toHaveLength(3);
    }
  });
});
