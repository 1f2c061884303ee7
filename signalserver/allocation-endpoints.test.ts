// Allocation as other parts of the kit see it: /status, /readyz and the Prometheus gauges, scraped over
// real HTTP while real sockets come and go.
import { describe, expect, it, vi } from 'vitest';
import { SIDECAR, type SidecarStatus } from '../common/index.js';
import { PlayerClient } from '../test/support/player-client.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { playerSession, sample, sidecarPerTest, type TestSidecar } from './test-sidecar.js';

let t: TestSidecar | undefined;
const { open, start: startTestSidecar } = sidecarPerTest();

async function scrape(t: TestSidecar) {
  const res = await fetch(t.metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return (name: string, labels = '') => sample(text, name, labels);
}

/** The gauges that mirror /status: streamer connected, available, allocated, players. */
function allocationGauges(m: (name: string) => number | undefined): (number | undefined)[] {
  return [m(SIDECAR.streamerConnected), m(SIDECAR.available), m(SIDECAR.allocated), m(SIDECAR.players)];
}

async function getStatus(t: TestSidecar): Promise<SidecarStatus> {
  const res = await fetch(`${t.httpUrl}/status`);
  expect(res.status).toBe(200);
  return (await res.json()) as SidecarStatus;
}

/** Waits until the sidecar's status satisfies `pred` (status changes follow socket events). */
async function until(t: TestSidecar, pred: (s: SidecarStatus) => boolean): Promise<SidecarStatus> {
  return vi.waitFor(
    async () => {
      const s = await getStatus(t);
      if (!pred(s)) throw new Error(`status never matched: ${JSON.stringify(s)}`);
      return s;
    },
    { timeout: 5000, interval: 20 },
  );
}

describe('allocation, endpoints and metrics', () => {
  it('walks empty → available → allocated → available → gone, in /status, /readyz and /metrics', async () => {
    t = await startTestSidecar();
    expect((await fetch(`${t.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.httpUrl}/readyz`)).status).toBe(503);
    let m = await scrape(t);
    expect(m(SIDECAR.streamerConnected)).toBe(0);
    expect(m(SIDECAR.available)).toBe(0);
    expect(await getStatus(t)).toEqual({
      streamerConnected: false,
      allocated: false,
      available: false,
      draining: false,
      reserved: false,
      players: 0,
      streamerId: null,
    });

    const streamer = await StreamerStandIn.start(t.streamerUrl, { id: 'pod-a' });
    open.push(streamer);
    await streamer.registered();
    expect(await getStatus(t)).toMatchObject({
      streamerConnected: true,
      available: true,
      allocated: false,
      streamerId: 'pod-a',
    });
    expect((await fetch(`${t.httpUrl}/readyz`)).status).toBe(200);
    expect(allocationGauges(await scrape(t))).toEqual([1, 1, 0, 0]);

    const player = await PlayerClient.connect(t.playerUrl);
    open.push(player);
    await player.subscribeAndWaitOffer('pod-a');
    player.answer();
    await streamer.nextOf('answer');
    expect(await getStatus(t)).toMatchObject({ allocated: true, available: false, players: 1 });
    // Allocated pods stay Ready so disruption budgets and rollouts count them.
    expect((await fetch(`${t.httpUrl}/readyz`)).status).toBe(200);
    m = await scrape(t);
    expect(allocationGauges(m)).toEqual([1, 0, 1, 1]);
    expect(m(SIDECAR.sessionsTotal)).toBe(1);
    expect(m(`${SIDECAR.subscribeToAnswerSeconds}_count`)).toBe(1);
    expect(m(SIDECAR.messagesTotal, '{role="player",type="subscribe"}')).toBe(1);

    // A second player finds the stream full (MAX_PLAYERS_PER_STREAMER=1).
    const second = await PlayerClient.connect(t.playerUrl);
    open.push(second);
    second.subscribe('pod-a');
    expect(await second.next('subscribeFailed')).toEqual({
      type: 'subscribeFailed',
      message: expect.any(String) as string,
    });
    m = await scrape(t);
    expect(m(SIDECAR.rejectionsTotal, '{reason="full"}')).toBe(1);

    // The player leaves: the stream is free at once.
    await player.close();
    await until(t, (s) => s.available);
    m = await scrape(t);
    expect(allocationGauges(m)).toEqual([1, 1, 0, 0]);
    expect(m(`${SIDECAR.sessionDurationSeconds}_count`)).toBe(1);

    // The streamer leaves: its players are closed and the pod is no longer Ready.
    await second.subscribeAndWaitOffer('pod-a');
    await streamer.close();
    expect((await second.closed).code).toBe(4404);
    await until(t, (s) => !s.streamerConnected);
    expect((await fetch(`${t.httpUrl}/readyz`)).status).toBe(503);
    expect(allocationGauges(await scrape(t))).toEqual([0, 0, 0, 0]);

    // A streamer that comes back (a new process) makes the pod available again.
    const again = await StreamerStandIn.start(t.streamerUrl, { id: 'pod-a' });
    open.push(again);
    await again.registered();
    expect(await getStatus(t)).toMatchObject({ available: true, streamerId: 'pod-a' });
  });

  it('emits change events with the new status and honours MAX_PLAYERS_PER_STREAMER', async () => {
    t = await startTestSidecar({ MAX_PLAYERS_PER_STREAMER: '2' });
    const changes: SidecarStatus[] = [];
    t.sidecar.on('change', (s) => changes.push(s));
    const streamer = await StreamerStandIn.start(t.streamerUrl);
    open.push(streamer);
    await streamer.registered();
    const players = await Promise.all([1, 2, 3].map(() => PlayerClient.connect(t!.playerUrl)));
    open.push(...players);
    await players[0]!.subscribeAndWaitOffer('DefaultStreamer');
    await players[1]!.subscribeAndWaitOffer('DefaultStreamer');
    players[2]!.subscribe('DefaultStreamer');
    await players[2]!.next('subscribeFailed');
    expect(t.sidecar.status().players).toBe(2);
    expect(changes.map((c) => c.players)).toEqual([0, 1, 2]);
    expect(changes[0]).toMatchObject({ streamerConnected: true, available: true });
  });

  it('frees the stream on unsubscribe and tells the streamer', async () => {
    t = await startTestSidecar();
    const { streamer, player } = await playerSession(t, open, 'u');
    const { playerId } = await streamer.nextOf('playerConnected');
    expect(t.sidecar.status().allocated).toBe(true);
    player.send({ type: 'unsubscribe' });
    expect(await streamer.next('playerDisconnected')).toEqual({ type: 'playerDisconnected', playerId });
    expect(t.sidecar.status()).toMatchObject({ allocated: false, available: true, players: 0 });
    // Relaying after unsubscribing is refused, and the socket stays usable.
    player.answer('late');
    await streamer.expectNothingFrom(player);
    await player.subscribeAndWaitOffer('u');
  });

  it('serves a placeholder page when the player page is missing, with security headers', async () => {
    t = await startTestSidecar();
    const res = await fetch(`${t.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Player page not built/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    const missing = await fetch(`${t.httpUrl}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
  });
});
