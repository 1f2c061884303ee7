// The router's Prometheus metrics (names from common/metric-names.ts), on a registry of its own so several
// routers can live in one process (tests, benchmarks) without clashing.
import http from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ROUTER, ROUTER_ALLOCATION_RESULTS, type RouterAllocationResult } from '../common/index.js';
import { metricDefinitions } from '../common/metric-definitions.js';

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly define = metricDefinitions(this.registry);
  readonly queueLength = this.define.gauge(ROUTER.queueLength, 'Players waiting for a pod on this replica');
  readonly waitSeconds = this.define.histogram(
    ROUTER.waitSeconds,
    'Time from a player arriving to a pod being assigned (new sessions, not resumes)',
    // From the instant fast path up to the default 300 s queue bound.
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  );
  readonly arrivals = this.define.counter(
    ROUTER.arrivalsTotal,
    'Players who asked for a new stream (resumes not counted): the arrival rate warm capacity is sized by',
  );
  readonly allocations = this.define.outcomes(
    ROUTER.allocationsTotal,
    'Allocation outcomes: assigned (new pod), resumed (same pod again), rejected (no capacity), failed (pod unusable)',
    ROUTER_ALLOCATION_RESULTS,
  );

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'pixelstream_router_process_' });
  }

  count(result: RouterAllocationResult): void {
    this.allocations.inc({ result });
  }
}

/** Serves `/metrics` on its own port (kept off the public player port). */
export function startMetricsServer(metrics: RouterMetrics, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      metrics.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500).end();
        },
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"code":"not_found","message":"try /metrics"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
