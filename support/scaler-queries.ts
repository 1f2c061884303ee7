// The PromQL an autoscaler runs for one of the kit's Object metrics on the streamer Service: exactly the
// query prometheus-adapter renders from its rule for that Service. The KEDA ScaledObject's Prometheus
// triggers use these strings, so the HPA path and the KEDA path scale on the same numbers.
import { renderAdapterQuery } from './adapter-query.js';
import { adapterRuleFor, adapterRules } from './adapter-rules.js';
import type { MonitoringOptions } from './options.js';

/**
 * The query for `metric` on `service`: one of the pools in `opts` (the first by default). The rule is the
 * same for every pool (it names all of them); only the requested Service differs, as in the adapter.
 */
export function serviceMetricQuery(
  metric: string,
  namespace: string,
  opts: Partial<MonitoringOptions> = {},
  service: string = opts.streamerService ?? 'streamer',
): string {
  const rule = adapterRuleFor(adapterRules(opts), metric);
  return renderAdapterQuery(rule.metricsQuery, {
    series: rule.name.matches.slice(1, -1),
    namespace,
    resourceLabel: 'service',
    names: [service],
  });
}
