// The images run compiled bundles (scripts/bundle.ts) while every other test runs the TypeScript sources.
// This test builds each bundle into a folder outside the repository (no node_modules to fall back on) and
// starts it the way its image does, `node main.mjs`: the sidecar and the router answer /healthz and turn
// ready, the streamer registers with the bundled sidecar (which is what makes that sidecar ready), and the
// TURN entrypoint runs coturn and passes its own probe. A bundle that drifts from the sources fails here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleComponent, COMPONENTS, nodeServiceTuning, type ComponentName } from '../scripts/bundle.js';
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
    const sidecar = startBundle('signalserver', { ...EPHEMERAL_SIDECAR_ENV, ROUTER_TOKEN });
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
