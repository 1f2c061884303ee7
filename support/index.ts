// Public surface of the monitoring folder: the k8s app builds its PrometheusRule and dashboard ConfigMaps
// from these, and the generator writes the committed YAML/JSON from the same functions.
export { adapterRules, type AdapterRule, type AdapterRules } from './adapter-rules.js';
export { renderAdapterQuery, type AdapterRequest } from './adapter-query.js';
export {
  prometheusRuleGroups,
  ALERTS,
  RECORDED,
  type RuleGroup,
  type RecordingRule,
  type AlertingRule,
} from './prometheus-rules.js';
export { dashboards } from './dashboards/index.js';
export {
  DEFAULT_MONITORING_OPTIONS,
  MonitoringOptionsError,
  monitoringOptionsFromKit,
  PROCESSING_POOL,
  type MonitoringOptions,
  type PoolServices,
} from './options.js';
export { desiredForAverageValue, desiredForValue, clampReplicas, HPA_TOLERANCE } from './hpa-math.js';
export { serviceMetricQuery } from './scaler-queries.js';
export { CAPACITY_RECORDED } from './capacity-rules.js';
export { warmBufferValue, WARM_FALLBACK, type WarmInput } from './warm-capacity.js';
