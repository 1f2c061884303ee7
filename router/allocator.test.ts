// Allocator behaviour that needs two replicas and real sidecars but no separate processes: two in-process
// routers in front of in-process sidecars (each with a streamer stand-in), on real loopback sockets.
// With QUEUE_MAX=0 a replica that saw every pod busy asks again after one poll interval (never "full"
// forever); under overload newcomers join the back of the line without asking every pod again (one 409
// for a crowd of 21).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../common/index.js';
import type { Sidecar } from '../signalserver/index.js';
import { startTestSidecar } from '../signalserver/test-sidecar.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { loadRouterConfig } from './config.js';
import { startRouter, type Router } from './router.js';
import { Arrival } from './testing/arrival.js';
import { TOKEN, sample } from './testing/stack.js';

const sidecars: Sidecar[] = [];
const standIns: StreamerStandIn[] = [];
const routers: Router[] = [];
const open: Arrival[] = [];

async function startRouters(n: number, env: Record<string, string>): Promise<Router[]> {
  const urls = sidecars.map((s) => `http://127.0.0.1:${s.ports.player}`).join(',');
  const made: Router[] = [];
  for (let i = 0; i < n; i++) {
    const config = loadRouterConfig({
      ROUTER_PORT: '0',
      METRICS_PORT: '0',
      ROUTER_HOST: '127.0.0.1',
      ROUTER_TOKEN: TOKEN,
      SIDECAR_URLS: urls,
      PLAYER_PAGE_DIR: '/nonexistent-player-page',
      ...env,
    });
    made.push(await startRouter(config, createLogger('router', 'silent'), { processMetrics: false }));
  }
  routers.push(...made);
  return made;
}

const arrive = (r: Router, cookie?: string) => {
  const a = new Arrival(`ws://127.0.0.1:${r.port}/`, cookie);
  open.push(a);
  return a;
};

beforeAll(async () => {
  const { sidecar } = await startTestSidecar({ ROUTER_TOKEN: TOKEN });
  sidecars.push(sidecar);
  const standIn = await StreamerStandIn.start(`ws://127.0.0.1:${sidecar.ports.streamer}/`, { id: 'only' });
  await standIn.registered();
  standIns.push(standIn);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  for (const a of open) a.ws.terminate();
  await Promise.all(routers.map((r) => r.close()));
  for (const s of standIns) s.ws.terminate();
  await Promise.all(sidecars.map((s) => s.close()));
});

describe('allocator', () => {
  it('with no queue (QUEUE_MAX=0) turns players away only while every pod is known busy, not forever', async () => {
    const [a, b] = (await startRouters(2, { QUEUE_MAX: '0', QUEUE_POLL_MS: '100' })) as [Router, Router];
    const first = arrive(a);
    await first.waitFor('config');
    // The clock (Date only: sockets and timers stay real) moves when the test says, so "one poll interval
    // later" is exact, however slow the machine.
    vi.useFakeTimers({ toFake: ['Date'] });
    const refused = arrive(b);
    expect((await refused.waitFor('noCapacity')).code).toBe('queue_full');
    // Router b last saw the pod busy; router a frees it. One poll interval later b must ask again.
    await first.close(1000);
    vi.advanceTimersByTime(100);
    const next = arrive(b);
    await next.waitFor('config');
    vi.useRealTimers();
    expect(next.has('noCapacity')).toBe(false);
    expect(
      sample(await b.metrics.registry.metrics(), 'pixelstream_router_allocations_total{result="rejected"}'),
    ).toBe(1);
    // Every new player counts as an arrival, turned away or not.
    expect(sample(await b.metrics.registry.metrics(), 'pixelstream_router_arrivals_total')).toBe(2);
    expect(sample(await a.metrics.registry.metrics(), 'pixelstream_router_arrivals_total')).toBe(1);
    await next.close(1000);
  });

  it('an overload does not turn every arrival into a request to every pod', async () => {
    const [r] = (await startRouters(1, { QUEUE_MAX: '50', QUEUE_POLL_MS: '5000' })) as [Router];
    const holder = arrive(r);
    await holder.waitFor('config');
    const conflicts = async () =>
      sample(
        await (await fetch(`http://127.0.0.1:${sidecars[0]!.ports.metrics}/metrics`)).text(),
        'pixelstream_reservations_total{result="conflict"}',
      ) ?? 0;
    const before = await conflicts();
    const first = arrive(r);
    await first.waitFor('queuePosition');
    const crowd = Array.from({ length: 20 }, () => arrive(r));
    await Promise.all(crowd.map((a) => a.waitFor('queuePosition')));
    expect(crowd.map((a) => a.firstPosition).sort((x, y) => x - y)).toEqual(crowd.map((_, i) => i + 2));
    // One round for the first waiter; the crowd joined behind it without asking the busy pod again.
    expect((await conflicts()) - before).toBe(1);
    await holder.close(1000);
    await first.waitFor('config');
    for (const a of [first, ...crowd]) await a.close(1000);
  });
});
