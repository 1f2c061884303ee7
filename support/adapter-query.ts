// Renders a prometheus-adapter `metricsQuery` template the way the adapter does for one request, so tests
// can run exactly the PromQL the HPA will get. The adapter (pkg/naming/metrics_query.go) builds:
//   LabelMatchers = [namespace="<ns>", <resource label>="<name>"] joined by "," — a single object name is an
//                   equality matcher, several names (a pods list) become one regex matcher name1|name2;
//   GroupBy       = the resource label (plus any extra group-by labels);
//   Series        = the series name found by `seriesQuery`.
// Only these three fields are supported: our templates use nothing else, and an unknown field must fail
// loudly here rather than render to something the adapter would not produce.
import { CodedError } from '../common/coded-error.js';

export interface AdapterRequest {
  /** Series name discovered by the rule's seriesQuery. */
  series: string;
  /** Namespace of the described object; omit for cluster-scoped resources. */
  namespace?: string;
  /** Prometheus label mapped to the resource: `service` for Object metrics on a Service, `pod` for Pods. */
  resourceLabel: string;
  /** Object names: one Service for an Object metric, every selected pod for a Pods metric. */
  names: string[];
  extraGroupBy?: string[];
}

export class AdapterTemplateError extends CodedError<'ADAPTER_TEMPLATE_UNSUPPORTED'> {
  constructor(field: string) {
    super(
      'ADAPTER_TEMPLATE_UNSUPPORTED',
      `metricsQuery uses <<${field}>>, which this renderer does not model`,
    );
  }
}

/** Go's %q for the plain strings Kubernetes names can hold. */
const goQuote = (s: string): string => JSON.stringify(s);

export function renderAdapterQuery(template: string, req: AdapterRequest): string {
  if (req.names.length === 0) throw new Error('renderAdapterQuery: at least one object name is required');
  const exprs: string[] = [];
  if (req.namespace !== undefined && req.namespace !== '') exprs.push(`namespace=${goQuote(req.namespace)}`);
  const target = req.names.join('|');
  exprs.push(`${req.resourceLabel}${req.names.length > 1 ? '=~' : '='}${goQuote(target)}`);
  const fields: Record<string, string> = {
    '.Series': req.series,
    '.LabelMatchers': exprs.join(','),
    '.GroupBy': [req.resourceLabel, ...(req.extraGroupBy ?? [])].join(','),
  };
  return template.replace(/<<\s*([^>]*?)\s*>>/g, (_m, field: string) => {
    const value = fields[field];
    if (value === undefined) throw new AdapterTemplateError(field);
    return value;
  });
}
