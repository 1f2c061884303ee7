// The images run compiled bundles (scripts/bundle.ts) while every other test runs the TypeScript sources.
// This test builds each bundle into a folder outside the repository (no node_modules to fall back on) and
// starts it the way its image does, `node main.mjs`: the sidecar and the router answer /healthz and turn
// ready, the streamer registers with the bundled sidecar (which is what makes that sidecar ready), and the
// TURN entrypoint runs coturn and passes its own probe. A bundle that drifts from the sources fails here,
// and so does one whose packages kept for first use (scripts/bundle.ts) load at start or fail when used.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { RESERVATIONS_PATH } from '../common/index.js';
import { bundleComponent, COMPONENTS, nodeServiceTuning, type ComponentName } from '../scripts/bundle.js';
import { startEventSink } from './support/event-sink.js';
import { freePort, track, type RunningProcess } from './support/processes.js';
import { EPHEMERAL_SIDECAR_ENV } from './support/sidecar-env.js';
import { requirements } from './support/tools.js';

const NODE_IP = '192.0.2.1'; // the test namespace's non-loopback address (scripts/test.mjs)
const SECRET = 'bundle-test-secret-0123456789';
const ROUTER_TOKEN = 'bundle-test-router-token-0123456789';

let out = '';
const running: RunningProcess[] = [];

/**
 * Starts a bundle with only `env` (and PATH): nothing of this process's environment leaks in. The sidecar
 * and the router also get the node settings (V8 flags, malloc) their image sets.
 */
function startBundle(name: ComponentName, env: Record<string, string>, file = 'main.mjs'): RunningProcess {
  const tuning = name === 'signalserver' || name === 'router' ? nodeServiceTuning() : {};
  const proc = track(
    spawn(process.execPath, [path.join(out, name, file)], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', ...tuning, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  running.push(proc);
  return proc;
}

async function status(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

async function contentType(url: string): Promise<string | null> {
  const res = await fetch(url);
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return res.headers.get('content-type');
}

/** The packages the process has required from the bundle's lazy files so far (it runs with NODE_DEBUG=module). */
function lazyPackagesLoaded(proc: RunningProcess): string[] {
  const names = proc.lines.map((l) => /\blazy-([a-z-]+)-[0-9a-f]{8}\.cjs/.exec(String(l.msg))?.[1]);
  return [...new Set(names.filter((n) => n !== undefined))].sort();
}

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'bundles-'));
  for (const name of Object.keys(COMPONENTS) as ComponentName[]) {
    await bundleComponent(name, path.join(out, name));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  rmSync(out, { recursive: true, force: true });
});

describe('bundles', () => {
  it('sidecar, streamer and router bundles start and turn ready together', async () => {
    const sink = await startEventSink();
    onTestFinished(() => sink.close());
    const sidecar = startBundle('signalserver', {
      ...EPHEMERAL_SIDECAR_ENV,
      ROUTER_TOKEN,
      EVENTS_SINK_URL: sink.url,
    });
    const listening = await sidecar.waitFor((l) => l.msg === 'listening');
    const http = `http://127.0.0.1:${Number(listening.playerPort)}`;
    expect(await status(`${http}/healthz`)).toBe(200);
    expect(await status(`${http}/readyz`)).toBe(503);
    expect(await status(`http://127.0.0.1:${Number(listening.metricsPort)}/metrics`)).toBe(200);

    const streamer = startBundle('streamer', {
      STREAMER_URL: `ws://127.0.0.1:${Number(listening.streamerPort)}`,
      STREAM_SOURCE: 'testsrc',
      ICE_EXTRA_HOSTS: '127.0.0.1',
    });
    await streamer.waitFor((l) => l.msg === 'streaming', 30_000);
    await vi.waitFor(async () => expect(await status(`${http}/readyz`)).toBe(200), { timeout: 15_000 });
    // The CloudEvents library is a chunk of its own, imported with the first event.
    await vi.waitFor(() =>
      expect(sink.events.map((e) => e.type)).toContain('io.pixelstream.streamer.connected'),
    );

    const router = startBundle('router', {
      ROUTER_PORT: '0',
      ROUTER_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      ROUTER_TOKEN,
      SIDECAR_URLS: http,
    });
    const routerUp = await router.waitFor((l) => l.msg === 'listening');
    const routerHttp = `http://127.0.0.1:${Number(routerUp.port)}`;
    expect(await status(`${routerHttp}/healthz`)).toBe(200);
    await vi.waitFor(async () => expect(await status(`${routerHttp}/readyz`)).toBe(200), { timeout: 15_000 });

    for (const proc of [router, streamer, sidecar]) expect(await proc.stop('SIGTERM', 15_000)).toBe(0);
  }, 90_000);

  it('the sidecar bundle loads the packages kept for first use only when a request needs them', async () => {
    const page = mkdtempSync(path.join(tmpdir(), 'bundle-page-'));
    onTestFinished(() => rmSync(page, { recursive: true, force: true }));
    writeFileSync(path.join(page, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(path.join(page, 'clip.mkv'), 'not a video');
    const sidecar = startBundle('signalserver', {
      ...EPHEMERAL_SIDECAR_ENV,
      ROUTER_TOKEN,
      PLAYER_PAGE_DIR: page,
      NODE_DEBUG: 'module',
    });
    const listening = await sidecar.waitFor((l) => l.msg === 'listening');
    const http = `http://127.0.0.1:${Number(listening.playerPort)}`;

    // What an idle sidecar serves: probes, status, metrics, the page.
    expect(await contentType(`${http}/healthz`)).toBe('application/json; charset=utf-8');
    expect(await contentType(`${http}/status`)).toBe('application/json; charset=utf-8');
    expect(await contentType(`${http}/index.html`)).toBe('text/html; charset=utf-8');
    expect(await status(`http://127.0.0.1:${Number(listening.metricsPort)}/metrics`)).toBe(200);

    // A type outside the common table needs the whole mime-types. Node prints the requires in order, so
    // once that one shows, any made while serving the requests above would show before it.
    expect(await contentType(`${http}/clip.mkv`)).toBe('video/x-matroska');
    await vi.waitFor(() => expect(lazyPackagesLoaded(sidecar)).toContain('mime-types'));
    expect(lazyPackagesLoaded(sidecar)).toEqual(['mime-types']);

    // A JSON body goes through iconv-lite.
    const res = await fetch(`${http}${RESERVATIONS_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ROUTER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 'soon' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_request' });
    await vi.waitFor(() => expect(lazyPackagesLoaded(sidecar)).toEqual(['iconv-lite', 'mime-types']));
    expect(await sidecar.stop('SIGTERM', 10_000)).toBe(0);
  });

  it('the sidecar bundle logs express debugging when DEBUG asks for it', async () => {
    const sidecar = startBundle('signalserver', { ...EPHEMERAL_SIDECAR_ENV, DEBUG: 'express:application' });
    await sidecar.waitFor((l) => String(l.msg).includes('express:application set "x-powered-by"'));
    expect(await sidecar.stop('SIGTERM', 10_000)).toBe(0);
  });

  it.skipIf(!requirements(['turnserver'], { netns: true }))(
    'the TURN bundle runs coturn and passes its probe',
    async () => {
      const runDir = mkdtempSync(path.join(tmpdir(), 'turn-run-'));
      try {
        const port = await freePort();
        const turn = startBundle('turn', {
          TURN_SECRET: SECRET,
          TURN_EXTERNAL_IP: NODE_IP,
          TURN_PRIVATE_IP: NODE_IP,
          TURN_LISTEN_PORT: String(port),
          TURN_MIN_PORT: '49570',
          TURN_MAX_PORT: '49580',
          TURN_EXPORTER_PORT: '0',
          TURN_RUN_DIR: runDir,
        });
        await turn.waitFor((l) => l.msg === 'ready', 15_000);
        const probe = spawnSync(process.execPath, [path.join(out, 'turn', 'probe.mjs')], {
          env: { TURN_LISTEN_PORT: String(port) },
          encoding: 'utf8',
        });
        expect(probe.status, probe.stderr).toBe(0);
        await turn.stop('SIGTERM', 10_000);
      } finally {
        rmSync(runDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
