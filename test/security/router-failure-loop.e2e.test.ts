// Abuse suite, router: a pod whose player socket fails right after its reservation was granted (here a
// real sidecar whose player-socket cap is already taken) must not turn one player into a loop of
// reservations, and one client address can start only a bounded number of allocation attempts a second.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { Arrival } from '../../router/testing/arrival.js';
import { startFarms, startRouterProc, type Farm, type RouterProc } from '../../router/testing/stack.js';
import { rawUpgrade, type RawUpgrade } from './raw-upgrade.js';

const stops: Array<() => unknown> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

describe('a granted pod whose socket fails', () => {
  let broken: Farm;
  let router: RouterProc;

  beforeAll(async () => {
    [broken] = (await startFarms([1], { FARM_MAX_PLAYER_SOCKETS: '1' })) as [Farm];
    stops.push(() => broken.proc.stop());
    // Take the sidecar's only player socket: its reservations are still granted, its upgrades answer 503.
    const squatter = new WebSocket(broken.sidecars[0]!.url.replace('http', 'ws'));
    await new Promise((r) => squatter.once('open', r));
    stops.push(() => squatter.terminate());
    router = await startRouterProc(
      broken.sidecars.map((s) => s.url),
      { CLIENT_ATTEMPTS_PER_SECOND: '5', CLIENT_ATTEMPTS_BURST: '30' },
    );
    stops.push(() => router.proc.stop());
  }, 60_000);

  it('is marked suspect and the player retries with a growing back-off, not in a loop', async () => {
    const player = new Arrival(router.url);
    stops.push(() => player.ws.terminate());
    const failures = () => router.proc.lines.filter((l) => l.code === 'SIDECAR_SOCKET_FAILED');
    await vi.waitFor(() => expect(failures().length).toBeGreaterThanOrEqual(4), { timeout: 20_000 });
    await router.proc.waitFor((l) => l.msg === 'sidecar marked suspect');
    const at = failures().map((l) => Date.parse(l.time as string));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 250 ms doubling: each gap is at least the back-off of its turn (less a clock tick).
    expect(gaps[0]).toBeGreaterThanOrEqual(240);
    expect(gaps[1]).toBeGreaterThanOrEqual(490);
    expect(gaps[2]).toBeGreaterThanOrEqual(990);
    // The player is still served (it waits), never dropped by the loop.
    expect(player.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('one client address', () => {
  let farm: Farm;
  let router: RouterProc;
  const open: RawUpgrade[] = [];

  beforeAll(async () => {
    [farm] = (await startFarms([1])) as [Farm];
    stops.push(() => farm.proc.stop());
    router = await startRouterProc(
      farm.sidecars.map((s) => s.url),
      { CLIENT_ATTEMPTS_PER_SECOND: '1', CLIENT_ATTEMPTS_BURST: '5', TRUSTED_PROXY_HOPS: '1' },
    );
    stops.push(() => router.proc.stop());
    stops.push(() => open.forEach((u) => u.destroy()));
  }, 60_000);

  it('gets 429 rate_limited past its burst, logged once, while another client is still served', async () => {
    const flood = Array.from({ length: 30 }, () =>
      rawUpgrade(router.port, '/', { 'x-forwarded-for': '198.51.100.7' }),
    );
    open.push(...flood);
    const statuses = await Promise.all(flood.map((u) => u.status()));
    expect(statuses.filter((s) => s === 101).length).toBeLessThanOrEqual(6);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(24);
    await flood.find((_, i) => statuses[i] === 429)!.waitFor('"code":"rate_limited"');
    // Another address (the ingress appends the real client's): unaffected.
    const other = rawUpgrade(router.port, '/', { 'x-forwarded-for': '198.51.100.8' });
    open.push(other);
    expect(await other.status()).toBe(101);
    const lines = router.proc.lines.filter((l) => l.code === 'RATE_LIMITED');
    expect(lines.length).toBe(1);
    expect(lines[0]!.client).toBe('198.51.100.7');
  });

  it('cannot forge its way out by sending its own X-Forwarded-For entries', async () => {
    // Only the entry the trusted proxy appended counts; anything the client put before it is ignored.
    const forged = Array.from({ length: 10 }, (_, i) =>
      rawUpgrade(router.port, '/', { 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` }),
    );
    open.push(...forged);
    const statuses = await Promise.all(forged.map((u) => u.status()));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
  });
});
