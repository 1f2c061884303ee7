// prometheus-adapter rules that publish the autoscaling inputs as custom metrics, computed straight from the
// per-pod sidecar gauges and the router's queue gauge — no central component has to keep a count.
//
// Object metrics, described on the streamer Service (series scraped through ServiceMonitors carry namespace,
// service and pod labels; the sidecar's have service=<streamer>, the router's service=<router>):
//   pixelstream_available_count  free streams a new player could get now (not allocated, not draining);
//   player_stream_pool_ratio     (players on ready streams + queued players) / max(ready streams, 1);
//   pixelstream_demand           max(allocated streams + queued players + buffer, scheduled minimum). The
//                                buffer and the minimum are series the kit's PrometheusRule records from
//                                .env (capacity-rules.ts), so this rule never changes with the settings. An
//                                HPA target of AverageValue 1 asks for exactly `demand` replicas.
// Pods metric:
//   stream_player_connections    players connected per pod, as in the original kit.
//
// Joining the queue: the router's series are labelled service=<router>, but the adapter asks for the
// streamer Service (LabelMatchers carries service="<streamer>"). We move each pool's router queue onto its
// pool's Service with label_replace, sum it over router replicas, and join it on (namespace, service);
// the join also scopes it to the requested namespace. With no router deployed the queue term falls back
// to 0 instead of making the whole metric vanish (`or` with a zero vector built from the streamer pods).
// Draining pods (SIGTERM, session still live) leave the Deployment's replica count, so they are neither
// ready streams nor demand: counting their session would keep one pod too many.
import { ADAPTER, ROUTER, SIDECAR } from '../common/metric-names.js';
import { BUFFER_WITHOUT_RULES, CAPACITY_RECORDED } from './capacity-rules.js';
import { poolServices, resolveOptions, type MonitoringOptions } from './options.js';

export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: Record<string, { resource: string }> };
  name: { matches: string; as: string };
  metricsQuery: string;
}

/** The `rules` value of the prometheus-adapter Helm chart. */
export interface AdapterRules {
  default: false;
  custom: AdapterRule[];
  external: [];
}

const LM = '<<.LabelMatchers>>';
const GB = '<<.GroupBy>>';

/** PromQL fragments shared by the rules; every one keeps the labels (namespace, <GroupBy>). */
function fragments(o: MonitoringOptions) {
  const draining = `(${SIDECAR.draining}{${LM}} == 1)`;
  /** Sum of a per-pod gauge over the pods that are not draining. */
  const notDraining = (metric: string) =>
    `sum by (namespace, ${GB}) (${metric}{${LM}} unless on (namespace, pod) ${draining})`;
  /** 0 for every requested object that has any sidecar series: the fallback that keeps a sum defined. */
  const zero = `(0 * sum by (namespace, ${GB}) (${SIDECAR.streamerConnected}{${LM}}))`;
  const withZero = (expr: string) => `(${expr} or on (namespace, ${GB}) ${zero})`;
  // Each pool's router queue, moved onto its pool's Service (one pool: one label_replace, as always).
  const moved = poolServices(o).map(
    (p) =>
      `label_replace(${ROUTER.queueLength}{service="${p.routerService}"}, "service", "${p.streamerService}", "", "")`,
  );
  const queue = withZero(`sum by (namespace, service) (${moved.join(' or ')})`);
  /** The kit's recorded buffer and scheduled minimum for the requested Service (capacity-rules.ts). */
  const recorded = (series: string, fallback: number) =>
    `(${series}{${LM}} + 0 or on (namespace, ${GB}) (${zero} + ${fallback}))`;
  const buffer = recorded(CAPACITY_RECORDED.buffer, BUFFER_WITHOUT_RULES);
  const scheduled = recorded(CAPACITY_RECORDED.scheduledMinimum, 0);
  /** max(a, b) of two vectors with the same (namespace, service) labels. */
  const larger = (a: string, b: string) =>
    `((${a} >= on (namespace, ${GB}) ${b}) or on (namespace, ${GB}) ${b})`;
  return { notDraining, withZero, queue, buffer, scheduled, larger };
}

/** The seriesQuery matcher of every pool's Service: `service="streamer"`, or a regex over several. */
export function serviceMatcher(o: MonitoringOptions): string {
  const names = poolServices(o).map((p) => p.streamerService);
  return names.length === 1 ? `service="${names[0]}"` : `service=~"${names.join('|')}"`;
}

function serviceRule(o: MonitoringOptions, series: string, as: string, metricsQuery: string): AdapterRule {
  return {
    seriesQuery: `${series}{namespace!="",${serviceMatcher(o)}}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, service: { resource: 'service' } } },
    name: { matches: `^${series}$`, as },
    metricsQuery,
  };
}

/** Builds the adapter rules; `opts.buffer` is STREAM_BUFFER. */
export function adapterRules(opts: Partial<MonitoringOptions> = {}): AdapterRules {
  const o = resolveOptions(opts);
  const f = fragments(o);
  const ready = f.withZero(f.notDraining(SIDECAR.streamerConnected));
  const players = f.withZero(f.notDraining(SIDECAR.players));
  const allocated = f.withZero(f.notDraining('<<.Series>>'));
  return {
    default: false,
    custom: [
      serviceRule(o, SIDECAR.available, ADAPTER.availableCount, f.notDraining('<<.Series>>')),
      serviceRule(
        o,
        SIDECAR.players,
        ADAPTER.poolRatio,
        `(${players} + on (namespace, service) ${f.queue}) / on (namespace, service) clamp_min(${ready}, 1)`,
      ),
      serviceRule(
        o,
        SIDECAR.allocated,
        ADAPTER.demand,
        f.larger(
          `${allocated} + on (namespace, service) ${f.queue} + on (namespace, service) ${f.buffer}`,
          f.scheduled,
        ),
      ),
      {
        seriesQuery: `${SIDECAR.players}{namespace!="",pod!="",${serviceMatcher(o)}}`,
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: `^${SIDECAR.players}$`, as: ADAPTER.playerConnections },
        metricsQuery: `sum by (namespace, ${GB}) (<<.Series>>{${LM}})`,
      },
    ],
    external: [],
  };
}

/** The resource label and series each published metric is requested with (for rendering in tests and docs). */
export function adapterRuleFor(rules: AdapterRules, metric: string): AdapterRule {
  const rule = rules.custom.find((r) => r.name.as === metric);
  if (!rule) throw new Error(`no adapter rule publishes ${metric}`);
  return rule;
}
