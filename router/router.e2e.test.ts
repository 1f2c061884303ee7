// Two real router processes in front of 20 real sidecars (four farm processes of five, each sidecar with a
// streamer stand-in): a crowd arriving at once, the wait queue draining first-come first-served, and a
// router dying while its players resume on their own pods through the other one.
// 60 players: every sidecar gets exactly one and 40 are told their place; each freed pod goes to the first
// in line on the replica that got it; the sidecars' own status never shows two players on one pod.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Arrival } from './testing/arrival.js';
import {
  sample,
  scrape,
  startFarms,
  startRouterProc,
  statusLines,
  type Farm,
  type RouterProc,
} from './testing/stack.js';

let farms: Farm[] = [];
let routers: RouterProc[] = [];
const arrivals: Arrival[] = [];

beforeAll(async () => {
  farms = await startFarms([5, 5, 5, 5]);
  const urls = farms.flatMap((f) => f.sidecars.map((s) => s.url));
  routers = await Promise.all([startRouterProc(urls), startRouterProc(urls)]);
}, 90_000);

afterAll(async () => {
  for (const a of arrivals) a.ws.terminate();
  await Promise.all([...routers.map((r) => r.proc.stop()), ...farms.map((f) => f.proc.stop())]);
});

function maxPlayersEverPerSidecar(): number {
  return Math.max(0, ...statusLines(farms).map((l) => l.players as number));
}

describe('two routers, twenty sidecars', () => {
  const routerOf = new Map<Arrival, number>();
  const streamerOf = new Map<Arrival, string>();

  it('60 players at once: every sidecar gets exactly one, 40 wait and are told their place', async () => {
    for (let i = 0; i < 60; i++) {
      const r = i % 2;
      const a = new Arrival(routers[r]!.url);
      routerOf.set(a, r);
      arrivals.push(a);
    }
    await vi.waitFor(() => {
      expect(arrivals.filter((a) => a.has('config')).length, 'assigned').toBe(20);
      expect(arrivals.filter((a) => a.has('queuePosition')).length, 'queued').toBe(40);
    }, 30_000);
    const assigned = arrivals.filter((a) => a.has('config'));
    // Nobody got both: a queued player never saw a pod, an assigned one never saw a queue message.
    expect(assigned.filter((a) => a.has('queuePosition'))).toHaveLength(0);
    const ids = await Promise.all(assigned.map((a) => a.streamer()));
    expect(new Set(ids).size).toBe(20);
    await Promise.all(
      assigned.map(async (a, i) => {
        streamerOf.set(a, ids[i]!);
        expect((await a.subscribe(ids[i]!)).type).toBe('offer');
      }),
    );
    // Each router numbered its own waiters 1..n.
    for (const r of [0, 1]) {
      const positions = arrivals
        .filter((a) => routerOf.get(a) === r && a.has('queuePosition'))
        .map((a) => a.firstPosition)
        .sort((x, y) => x - y);
      expect(positions).toEqual(positions.map((_, i) => i + 1));
    }
    expect(maxPlayersEverPerSidecar()).toBe(1);
    const m = await Promise.all(routers.map((r) => scrape(r.metricsPort)));
    expect(m.reduce((n, t) => n + sample(t, 'pixelstream_router_queue_length')!, 0)).toBe(40);
    expect(
      m.reduce((n, t) => n + sample(t, 'pixelstream_router_allocations_total{result="assigned"}')!, 0),
    ).toBe(20);
  });

  it('as sessions end, each router hands the freed pod to its longest-waiting player', async () => {
    const active = arrivals.filter((a) => a.has('config'));
    const served: Arrival[] = [];
    for (let i = 0; i < 40; i++) {
      const leaving = active.shift()!;
      const pod = streamerOf.get(leaving)!;
      const before = arrivals.filter((a) => a.has('config')).length;
      await leaving.close(1000);
      await vi.waitFor(
        () =>
          expect(arrivals.filter((a) => a.has('config')).length, `a waiting player gets pod ${pod}`).toBe(
            before + 1,
          ),
        10_000,
      );
      const next = arrivals.find(
        (a) => a.has('config') && !active.includes(a) && !served.includes(a) && a.ws.readyState === a.ws.OPEN,
      )!;
      served.push(next);
      active.push(next);
      // The only free pod is the one just left: the newcomer must be there, alone.
      const id = await next.streamer();
      expect(id).toBe(pod);
      streamerOf.set(next, id);
      await next.subscribe(id);
    }
    for (const r of [0, 1]) {
      const order = served.filter((a) => routerOf.get(a) === r).map((a) => a.firstPosition);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(maxPlayersEverPerSidecar()).toBe(1);
    // Waiters got their resume ticket in-band (their handshake went out before a pod was known); players
    // placed on arrival had the cookie on the handshake instead.
    expect(served.every((a) => a.has('sessionTicket') && !a.cookie)).toBe(true);
    expect(
      arrivals.filter((a) => !served.includes(a)).every((a) => !a.has('sessionTicket') && a.cookie),
    ).toBe(true);
    const m = await Promise.all(routers.map((r) => scrape(r.metricsPort)));
    expect(m.reduce((n, t) => n + sample(t, 'pixelstream_router_queue_length')!, 0)).toBe(0);
    expect(
      m.reduce((n, t) => n + sample(t, 'pixelstream_router_allocations_total{result="assigned"}')!, 0),
    ).toBe(60);
    expect(m.reduce((n, t) => n + sample(t, 'pixelstream_router_wait_seconds_count')!, 0)).toBe(60);
    await Promise.all(active.map((a) => a.close(1000)));
  });

  it('a router dies: its players come back through the other one and resume on their own pods', async () => {
    // All 20 pods free again once every session above released its reservation.
    await vi.waitFor(() => {
      const last = new Map<number, { players: number; reserved: boolean }>();
      for (const l of statusLines(farms)) last.set(l.index as number, l as never);
      expect(
        [...last.values()].filter((s) => s.players !== 0 || s.reserved),
        'sidecars not idle yet',
      ).toEqual([]);
    }, 10_000);
    const fresh: Arrival[] = [];
    for (let i = 0; i < 20; i++) {
      const a = new Arrival(routers[i % 2]!.url);
      routerOf.set(a, i % 2);
      arrivals.push(a);
      fresh.push(a);
    }
    await vi.waitFor(
      () =>
        expect(
          fresh.filter((a) => !a.has('config')),
          'fresh players unassigned',
        ).toEqual([]),
      15_000,
    );
    for (const a of fresh) {
      expect(a.cookie).toMatch(/^pxs_session=/);
      const id = await a.streamer();
      streamerOf.set(a, id);
      await a.subscribe(id);
    }
    const victims = fresh.filter((a) => routerOf.get(a) === 0);
    await routers[0]!.proc.stop('SIGKILL');
    for (const a of victims) expect((await a.closed).code).toBe(1006);

    const back = victims.map((a) => {
      const b = new Arrival(routers[1]!.url, a.cookie);
      arrivals.push(b);
      return { before: a, after: b };
    });
    for (const { before, after } of back) {
      await after.waitFor('config');
      const id = await after.streamer();
      expect(id).toBe(streamerOf.get(before));
      expect((await after.subscribe(id)).type).toBe('offer');
    }
    const text = await scrape(routers[1]!.metricsPort);
    expect(sample(text, 'pixelstream_router_allocations_total{result="resumed"}')).toBe(victims.length);
    // Every pod is still held by its own player: a newcomer waits instead of taking a resumed pod.
    const late = new Arrival(routers[1]!.url);
    arrivals.push(late);
    expect((await late.waitFor('queuePosition')).position).toBe(1);
    expect(late.has('config')).toBe(false);
    expect(maxPlayersEverPerSidecar()).toBe(1);
    await routers[1]!.proc.waitFor((l) => l.msg === 'player resumed on its pod');
  });
});
