// Prometheus counters derived from coturn's log events, served by the entrypoint. They work on every
// coturn build — Debian's 4.6.1 has no exporter — and answer the operator's first questions: are players
// getting relays, are credentials being refused (wrong secret? clocks?), is someone probing the cluster
// network through the relay.
import { createServer, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { metricDefinitions } from '../common/metric-definitions.js';
import { TURN_RELAY } from '../common/metric-names.js';
import type { CoturnEvent } from './coturn-log.js';

export interface TurnMetrics {
  registry: Registry;
  observe(e: CoturnEvent): void;
  setUp(up: boolean): void;
}

export function createTurnMetrics(): TurnMetrics {
  const registry = new Registry();
  const define = metricDefinitions(registry);
  const allocations = define.counter(TURN_RELAY.allocationsTotal, 'Successful TURN Allocate requests');
  const auth = define.counter(TURN_RELAY.authRejectionsTotal, 'TURN credentials refused by coturn', [
    'reason',
  ]);
  const refused = define.counter(
    TURN_RELAY.peerRefusalsTotal,
    'Relay permissions refused by the peer deny list',
  );
  const closed = define.counter(TURN_RELAY.sessionsClosedTotal, 'TURN sessions closed by coturn');
  const up = define.gauge(TURN_RELAY.up, '1 while coturn answers STUN on its listener');
  // Zero series exist from the start, so rate() and alerts work before the first event.
  auth.inc({ reason: 'expired' }, 0);
  auth.inc({ reason: 'mismatch' }, 0);
  return {
    registry,
    observe(e) {
      if (e.code === 'TURN_AUTH_REJECTED')
        auth.inc({ reason: e.fields.cause === 'expired' ? 'expired' : 'mismatch' });
      else if (e.code === 'TURN_PEER_REFUSED') refused.inc();
      else if (e.fields.request === 'ALLOCATE' && e.fields.status === undefined && e.text.endsWith('success'))
        allocations.inc();
      else if (e.text.startsWith('session ') && / closed /.test(e.text)) closed.inc();
    },
    setUp(value) {
      up.set(value ? 1 : 0);
    },
  };
}

/** GET /metrics on host:port; anything else 404. Resolves with the bound port. */
export async function serveMetrics(
  metrics: TurnMetrics,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as { port: number }).port };
}
