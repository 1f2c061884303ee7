// The PromQL an autoscaler runs for one of the kit's Object metrics on the streamer Service: exactly the
// query prometheus-adapter renders from its rule for that Service. The KEDA ScaledObject's Prometheus
// triggers use these strings, so the HPA path and the KEDA path scale on the same numbers.
import { renderAdapterQuery } from './adapter-query.js';
import { adapterRuleFor, adapterRules } from './adapter-rules.js';
import type { MonitoringOptions } from './options.js';

export function serviceMetricQuery(
  metric: string,
  namespace: string,
  opts: Partial<MonitoringOptions> = {},
): string {
  const rule = adapterRuleFor(adapterRules(opts), metric);
  return renderAdapterQuery(rule.metricsQuery, {
    series: rule.name.matches.slice(1, -1),
    namespace,
    resourceLabel: 'service',
    names: [opts.streamerService ?? 'streamer'],
  });
}
