// The router's HTTP surface on the public port: health, readiness, and the player page on the same origin
// as the player WebSocket (Epic's frontend signals to its own origin).
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { errorBody, type Logger } from '../common/index.js';
import { SESSION_PATH } from '../common/router-messages.js';
import { pageSecurityHeaders } from '../common/page-security.js';
import { playerPage } from '../common/player-page.js';
import type { SessionCookies } from './session-cookie.js';

export interface HttpOptions {
  playerPageDir: string;
  ready(): boolean;
  cookies: SessionCookies;
  log: Logger;
}

const PLACEHOLDER = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Pixel streaming router</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The player page is not built</h1>
<p>This session router is running, but its player page directory is missing.
Build it with <code>npm run build:player</code> or point <code>PLAYER_PAGE_DIR</code> at a built page.</p>
</body></html>`;

export function createApp(options: HttpOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    // The page talks to its own origin over WebSocket and shows a MediaStream; nothing else is needed.
    pageSecurityHeaders({
      'connect-src': ["'self'", 'ws:', 'wss:'],
      'media-src': ["'self'", 'blob:'],
      'img-src': ["'self'", 'data:', 'blob:'],
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (options.ready()) res.json({ status: 'ready' });
    else
      res
        .status(503)
        .json(errorBody('not_ready', 'discovery has not synced yet, or the router is shutting down'));
  });
  app.post(SESSION_PATH, express.json({ limit: '4kb', type: 'application/json' }), (req, res) => {
    // Same-origin only: a JSON POST from another site needs a CORS preflight we never grant, and a browser
    // always sends Origin on POST; a mismatch is refused outright.
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      options.log.warn({ code: 'CROSS_ORIGIN', origin }, 'session ticket from another origin refused');
      res
        .status(403)
        .json(errorBody('cross_origin', 'the session ticket must come from the page this router served'));
      return;
    }
    const raw = (req.body as { ticket?: unknown } | undefined)?.ticket;
    const ticket = typeof raw === 'string' ? options.cookies.decode(raw) : undefined;
    if (!ticket) {
      options.log.info({ code: 'BAD_SESSION_TICKET' }, 'invalid session ticket');
      res
        .status(400)
        .json(
          errorBody(
            'bad_session_ticket',
            'the ticket is missing, malformed or not signed by this deployment',
          ),
        );
      return;
    }
    const proto = req.headers['x-forwarded-proto'];
    const secure = typeof proto === 'string' && proto.split(',')[0]?.trim() === 'https';
    res.setHeader('set-cookie', options.cookies.header(ticket, secure || req.secure));
    res.status(204).end();
  });
  const dir = path.resolve(options.playerPageDir);
  if (existsSync(path.join(dir, 'index.html'))) {
    app.use(playerPage(dir));
    app.use(express.static(dir, { index: 'index.html', fallthrough: true }));
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send(PLACEHOLDER);
    });
  }
  app.use((_req, res) => {
    res.status(404).json(errorBody('not_found', 'no such page'));
  });
  // Without this, Express answers a malformed or oversized body with an HTML page (a stack trace outside
  // production) and prints the error to stderr instead of a log line.
  app.use(
    (
      err: Error & { status?: number; expose?: boolean },
      req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) {
        options.log.error({ err, path: req.path }, 'http handler failed');
        res.status(500).json(errorBody('internal', 'internal error'));
        return;
      }
      const message = err.expose ? err.message : (http.STATUS_CODES[status] ?? 'bad request');
      options.log.info({ code: 'BAD_REQUEST', status, path: req.path, reason: message }, 'bad HTTP request');
      res.status(status).json(errorBody('bad_request', message));
    },
  );
  return app;
}

/** True when the page directory holds a built page (logged at start-up). */
export function hasPlayerPage(dir: string): boolean {
  return existsSync(path.join(path.resolve(dir), 'index.html'));
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
