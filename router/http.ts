// The router's HTTP surface on the public port: health, readiness, and the player page on the same origin
// as the player WebSocket (Epic's frontend signals to its own origin).
import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { errorBody } from '../common/index.js';

export interface HttpOptions {
  playerPageDir: string;
  ready(): boolean;
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
    helmet({
      // The page talks to its own origin over WebSocket and shows a MediaStream; nothing else is needed.
      contentSecurityPolicy: {
        directives: {
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'media-src': ["'self'", 'blob:'],
          'img-src': ["'self'", 'data:', 'blob:'],
        },
      },
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (options.ready()) res.json({ status: 'ready' });
    else res.status(503).json(errorBody('not_ready', 'discovery has not synced yet, or the router is shutting down'));
  });
  const dir = path.resolve(options.playerPageDir);
  if (existsSync(path.join(dir, 'index.html'))) {
    app.use(express.static(dir, { index: 'index.html', fallthrough: true }));
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send(PLACEHOLDER);
    });
  }
  app.use((_req, res) => {
    res.status(404).json(errorBody('not_found', 'no such page'));
  });
  return app;
}

/** True when the page directory holds a built page (logged at start-up). */
export function hasPlayerPage(dir: string): boolean {
  return existsSync(path.join(path.resolve(dir), 'index.html'));
}
