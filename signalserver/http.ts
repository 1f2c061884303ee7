// The HTTP surface on PLAYER_PORT: health, readiness, status, the router's reservation API and the player
// page. Handlers only read status and call the reservation lock; every error is a coded JSON body.
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import {
  RESERVATIONS_PATH,
  WarningLimiter,
  errorBody,
  type Logger,
  type ReservationRequest,
  type SidecarReservationResult,
  type SidecarStatus,
} from '../common/index.js';
import { pageSecurityHeaders } from '../common/page-security.js';
import { playerPage } from '../common/player-page.js';
import { isReady } from './allocation.js';
import type { Reservations } from './reservations.js';

export interface HttpDeps {
  status(): SidecarStatus;
  reservations: Reservations;
  routerToken: string | undefined;
  playerPageDir: string;
  onReservation(result: SidecarReservationResult): void;
  onRejection(reason: 'unauthorized'): void;
  log: Logger;
}

const PLACEHOLDER = `<!doctype html><html><head><meta charset="utf-8"><title>Pixel streaming</title></head>
<body><h1>Player page not built</h1><p>The signalling server is running, but no player page was found.
Build it with <code>npm run build:player</code> or set <code>PLAYER_PAGE_DIR</code>.</p></body></html>`;

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(pageSecurityHeaders());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const s = deps.status();
    res.status(isReady(s) ? 200 : 503).json(s);
  });
  app.get('/status', (_req, res) => {
    res.json(deps.status());
  });

  const authWarnings = new WarningLimiter();
  const reservations = express.Router();
  reservations.use((req, res, next) => {
    if (!deps.routerToken) {
      res
        .status(404)
        .json(errorBody('reservations_disabled', 'the reservation API is off (ROUTER_TOKEN is not set)'));
      return;
    }
    if (!bearerMatches(req.get('authorization'), deps.routerToken)) {
      deps.onRejection('unauthorized');
      deps.onReservation('unauthorized');
      // Anyone who reaches the port can send these as fast as they like: one line per address per 10 s,
      // a bounded number in all, and the count of the ones left out (the counters still see each).
      const remote = req.socket.remoteAddress ?? '?';
      const verdict = authWarnings.check(remote);
      if (verdict.allow)
        deps.log.warn(
          { remote, code: 'unauthorized', suppressed: verdict.suppressed },
          'reservation request without a valid router token',
        );
      res.status(401).json(errorBody('unauthorized', 'missing or wrong Bearer token'));
      return;
    }
    // A body must be JSON: express.json() would silently skip any other type and grant on an empty request.
    if (req.method === 'POST' && req.is('application/json') === false) {
      res.status(415).json(errorBody('bad_request', 'the body must be application/json'));
      return;
    }
    next();
  });
  reservations.post('/', express.json({ limit: '4kb' }), (req, res) => {
    const body: unknown = req.body;
    const request = parseRequest(body);
    if (!request) {
      res
        .status(400)
        .json(
          errorBody('bad_request', 'body must be a JSON object: {ttlSeconds?, resumeSeconds?, resumeId?}'),
        );
      return;
    }
    const s = deps.status();
    const outcome = deps.reservations.grant(request, s.available, s.draining, s.streamerId);
    if (!outcome.ok) {
      deps.onReservation(
        outcome.code === 'not_found' ? 'not_found' : outcome.code === 'draining' ? 'draining' : 'conflict',
      );
      res.status(outcome.status).json(errorBody(outcome.code, outcome.message));
      return;
    }
    deps.onReservation(outcome.resumed ? 'resumed' : 'granted');
    deps.log.info({ reservationId: outcome.reservation.id, resumed: outcome.resumed }, 'reservation granted');
    res.status(201).json(outcome.reservation);
  });
  reservations.get('/:id', (req, res) => {
    const r = deps.reservations.view(req.params.id, deps.status().streamerId);
    if (r) res.json(r);
    else res.status(404).json(errorBody('not_found', 'no such reservation'));
  });
  reservations.delete('/:id', (req, res) => {
    if (deps.reservations.release(req.params.id)) {
      deps.onReservation('released');
      res.status(204).end();
    } else res.status(404).json(errorBody('not_found', 'no such reservation'));
  });
  app.use(RESERVATIONS_PATH, reservations);

  if (existsSync(deps.playerPageDir)) {
    app.use(playerPage(deps.playerPageDir));
    app.use(express.static(deps.playerPageDir, { index: 'index.html', dotfiles: 'ignore' }));
  } else {
    deps.log.warn({ dir: deps.playerPageDir }, 'player page not found; serving a placeholder at /');
    app.get('/', (_req, res) => {
      res.type('html').send(PLACEHOLDER);
    });
  }

  app.use((_req, res) => {
    res.status(404).json(errorBody('not_found', 'no such path'));
  });
  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) deps.log.error({ err }, 'http handler failed');
      res
        .status(status)
        .json(
          errorBody(
            status === 500 ? 'internal' : 'bad_request',
            status === 500 ? 'internal error' : err.message,
          ),
        );
    },
  );
  return app;
}

function parseRequest(body: unknown): ReservationRequest | undefined {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const out: ReservationRequest = {};
  if (b.ttlSeconds !== undefined) {
    if (typeof b.ttlSeconds !== 'number') return undefined;
    out.ttlSeconds = b.ttlSeconds;
  }
  if (b.resumeSeconds !== undefined) {
    if (typeof b.resumeSeconds !== 'number') return undefined;
    out.resumeSeconds = b.resumeSeconds;
  }
  if (b.resumeId !== undefined) {
    if (typeof b.resumeId !== 'string' || b.resumeId.length > 100) return undefined;
    out.resumeId = b.resumeId;
  }
  return out;
}

/** Constant-time comparison of secrets, so response timing leaks nothing about the token. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return secretMatches(m?.[1]?.trim(), token);
}
