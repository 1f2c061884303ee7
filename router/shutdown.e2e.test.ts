// Graceful shutdown of a real router process (a rolling update): after SIGTERM it is not ready at once but
// keeps placing players through SHUTDOWN_DELAY_SECONDS, then stops accepting; piped players keep playing
// until they leave or SHUTDOWN_DRAIN_SECONDS end, then resume through another replica; it exits 0. A second
// signal exits at once.
// With a long drain it exits as soon as its last piped player leaves; SIGTERM/SIGINT twice: 143/130.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../common/index.js';
import { Arrival } from './testing/arrival.js';
import { startFarms, startRouterProc, type Farm, type RouterProc } from './testing/stack.js';

const open: Arrival[] = [];
const arrive = (url: string, cookie?: string) => {
  const a = new Arrival(url, cookie);
  open.push(a);
  return a;
};

const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Whether a TCP connection to `port` is refused (the listener is closed). */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(false)));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });

describe('a router stopped with SIGTERM', () => {
  let farm: Farm;
  const routers: RouterProc[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const r = await startRouterProc(
      farm.sidecars.map((s) => s.url),
      env,
    );
    routers.push(r);
    return r;
  };

  beforeAll(async () => {
    [farm] = (await startFarms([2])) as [Farm];
  }, 60_000);

  afterEach(async () => {
    for (const a of open.splice(0)) a.ws.terminate();
    await Promise.all(routers.splice(0).map((r) => r.proc.stop('SIGKILL')));
  });

  afterAll(async () => {
    await farm?.proc.stop();
  });

  it('turns unready, keeps placing players through the delay, then drains piped players and exits 0', async () => {
    const [stopping, staying] = await Promise.all([
      start({ SHUTDOWN_DELAY_SECONDS: '2', SHUTDOWN_DRAIN_SECONDS: '3' }),
      start(),
    ]);
    const piped = arrive(stopping.url);
    await piped.waitFor('config');
    const pod = await piped.streamer();
    expect((await get(stopping.port, '/readyz')).status).toBe(200);

    const signalledAt = Date.now();
    stopping.proc.child.kill('SIGTERM');
    await stopping.proc.waitFor(
      (l) => l.msg === 'not ready; still serving until the ingress stops sending players here',
    );
    // Not ready at once, so the ingress stops sending players; alive, and still serving those it sends.
    const readyz = await get(stopping.port, '/readyz');
    expect([readyz.status, readyz.body.code]).toEqual([503, 'not_ready']);
    expect(await get(stopping.port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const late = arrive(stopping.url);
    await late.waitFor('config');
    expect(await late.streamer()).not.toBe(pod);
    const waiting = arrive(stopping.url);
    await waiting.waitFor('queuePosition');

    // The delay is over: no new connections, waiting players are told to come back elsewhere…
    expect((await waiting.waitFor('noCapacity', 5000)).code).toBe('shutting_down');
    expect((await waiting.closed).code).toBe(CLOSE.serviceRestart);
    await stopping.proc.waitFor(
      (l) => l.msg === 'stopped accepting; piped players keep playing until they leave or the drain ends',
    );
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(2000);
    expect(await refused(stopping.port)).toBe(true);
    // …while piped players keep talking to their pods.
    expect(await piped.streamer()).toBe(pod);
    await late.close(1000);

    // At the end of the drain the rest are dropped with 1012, Epic's frontend reconnects, and the cookie
    // brings the player back to its pod through the other replica.
    expect((await piped.closed).code).toBe(CLOSE.serviceRestart);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(5000);
    await stopping.proc.waitFor(
      (l) => l.msg === 'drain over; dropping the remaining players (they resume through another replica)',
    );
    expect(await stopping.proc.exited).toBe(0);
    const back = arrive(staying.url, piped.cookie);
    await back.waitFor('config');
    expect(await back.streamer()).toBe(pod);
    await back.close(1000);
  });

  it('exits as soon as the last piped player leaves, before the drain ends', async () => {
    const r = await start({ SHUTDOWN_DELAY_SECONDS: '0', SHUTDOWN_DRAIN_SECONDS: '600' });
    const p = arrive(r.url);
    await p.waitFor('config');
    r.proc.child.kill('SIGTERM');
    await r.proc.waitFor((l) => l.msg?.startsWith('stopped accepting') === true);
    expect(await p.streamer()).toBeTruthy();
    await p.close(1000);
    expect(await r.proc.exited).toBe(0);
    expect(r.proc.lines.some((l) => l.msg?.startsWith('drain over') === true)).toBe(false);
  });

  it('a second SIGTERM or SIGINT exits at once', async () => {
    for (const second of ['SIGTERM', 'SIGINT'] as const) {
      const r = await start({ SHUTDOWN_DELAY_SECONDS: '120', SHUTDOWN_DRAIN_SECONDS: '600' });
      r.proc.child.kill('SIGTERM');
      await r.proc.waitFor((l) => l.msg?.startsWith('not ready') === true);
      r.proc.child.kill(second);
      expect(await r.proc.exited).toBe(second === 'SIGTERM' ? 143 : 130);
    }
  });
});
