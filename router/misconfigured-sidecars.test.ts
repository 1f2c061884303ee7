// Deployment errors between router and sidecars, on real in-process sidecars: a sidecar holding another
// ROUTER_TOKEN (401) and one running without the reservation API (no ROUTER_TOKEN: 404). Neither heals by
// itself, so each is logged at error with its own code and counted as failed; the player is never sent
// there and waits for a usable pod instead.
// A resume refused for the token is logged `resume_unauthorized` and counted.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sidecar } from '../signalserver/index.js';
import { startTestSidecar } from '../signalserver/test-sidecar.js';
import { captureLog } from '../test/support/log-capture.js';
import { loadRouterConfig } from './config.js';
import { startRouter, type Router } from './router.js';
import { SessionCookies } from './session-cookie.js';
import { Arrival } from './testing/arrival.js';
import { TOKEN, sample } from './testing/stack.js';

const { logger, lines } = captureLog('router');
const sidecars: Sidecar[] = [];
const open: Arrival[] = [];
let router: Router;
let otherToken = '';
let noApi = '';

beforeAll(async () => {
  const a = await startTestSidecar({ ROUTER_TOKEN: 'another-deployments-token-0123' });
  const b = await startTestSidecar({});
  sidecars.push(a.sidecar, b.sidecar);
  otherToken = a.httpUrl;
  noApi = b.httpUrl;
  const config = loadRouterConfig({
    ROUTER_PORT: '0',
    METRICS_PORT: '0',
    ROUTER_HOST: '127.0.0.1',
    ROUTER_TOKEN: TOKEN,
    SIDECAR_URLS: `${otherToken},${noApi}`,
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    QUEUE_POLL_MS: '60000',
  });
  router = await startRouter(config, logger, { processMetrics: false, holdMs: 100 });
});

afterAll(async () => {
  for (const a of open) a.ws.terminate();
  await router?.close();
  await Promise.all(sidecars.map((s) => s.close()));
});

const failed = async () =>
  sample(await router.metrics.registry.metrics(), 'pixelstream_router_allocations_total{result="failed"}');

describe('misconfigured sidecars', () => {
  it('a token mismatch and a sidecar without the reservation API are logged at error, counted, and skipped', async () => {
    const player = new Arrival(`ws://127.0.0.1:${router.port}/`);
    open.push(player);
    expect((await player.waitFor('queuePosition')).position).toBe(1);
    const errors = () => lines.filter((l) => l.level === 'error');
    await vi.waitFor(() => expect(errors().length, 'two error lines').toBeGreaterThanOrEqual(2), 5000);
    expect(errors().find((l) => l.url === otherToken)).toMatchObject({ code: 'RESERVE_UNAUTHORIZED' });
    expect(errors().find((l) => l.url === noApi)).toMatchObject({ code: 'RESERVE_DISABLED' });
    expect(await failed()).toBe(2);
    expect(player.has('config')).toBe(false);
    await player.close(1000);
  });

  it('a resume refused for a bad token is logged with its code and counted as failed', async () => {
    const before = (await failed())!;
    const cookie = new SessionCookies(TOKEN).encode({ sidecarUrl: otherToken, reservationId: 'r-1' });
    const back = new Arrival(`ws://127.0.0.1:${router.port}/`, `pxs_session=${cookie}`);
    open.push(back);
    await vi.waitFor(
      () =>
        expect(
          lines.some((l) => l.code === 'RESUME_UNAUTHORIZED'),
          'the resume refusal is logged',
        ).toBe(true),
      5000,
    );
    expect((await failed())! - before).toBeGreaterThanOrEqual(1);
    expect(lines.find((l) => l.code === 'RESUME_UNAUTHORIZED')).toMatchObject({ pod: otherToken });
    await back.close(1000);
  });
});
