// The sidecar side of the router contract (common/reservation-api.ts), over real HTTP and real sockets:
// atomic grant, conflict, racing routers, expiry, the holder-only rule, resume after a drop, and auth.
import { describe, expect, it } from 'vitest';
import { RESERVATION_QUERY_PARAM, SIDECAR, type Reservation } from '../common/index.js';
import { PlayerClient } from '../test/support/player-client.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { sample, sidecarPerTest, type TestSidecar } from './test-sidecar.js';

const TOKEN = 'router-token-abcdefghijklmnop';
let t: TestSidecar | undefined;
const { open, start: startTestSidecar } = sidecarPerTest();

/** POST /reservations with `body` as it is, of type `contentType`. */
function postReservation(t: TestSidecar, body: string, contentType = 'application/json', token = TOKEN) {
  return fetch(`${t.httpUrl}/reservations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
}
const reserve = (t: TestSidecar, body: object = {}, token = TOKEN) =>
  postReservation(t, JSON.stringify(body), 'application/json', token);
const get = (t: TestSidecar, id: string) =>
  fetch(`${t.httpUrl}/reservations/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });

async function withStreamer(env: Record<string, string> = {}): Promise<TestSidecar> {
  t = await startTestSidecar({ ROUTER_TOKEN: TOKEN, ...env });
  const streamer = await StreamerStandIn.start(t.streamerUrl, { id: 'pod', candidates: 0 });
  open.push(streamer);
  await streamer.registered();
  return t;
}

async function metric(t: TestSidecar, name: string, labels = ''): Promise<number | undefined> {
  return sample(await (await fetch(t.metricsUrl)).text(), name, labels);
}

describe('reservations', () => {
  it('grants once, counts as allocated, lets only the holder subscribe, and resumes after a drop', async () => {
    const t = await withStreamer();
    const res = await reserve(t);
    expect(res.status).toBe(201);
    const r = (await res.json()) as Reservation;
    expect(r).toEqual({
      id: expect.any(String) as string,
      expiresAt: expect.any(Number) as number,
      state: 'waiting',
      streamerId: 'pod',
    });
    expect(r.expiresAt).toBeGreaterThan(Date.now() + 10_000);
    expect(t.sidecar.status()).toMatchObject({
      reserved: true,
      allocated: true,
      available: false,
      players: 0,
    });
    expect(await metric(t, SIDECAR.reserved)).toBe(1);
    expect(await metric(t, SIDECAR.allocated)).toBe(1);

    const again = await reserve(t);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'not_available' });

    // A player without the reservation is refused; the holder gets the stream.
    const stranger = await PlayerClient.connect(t.playerUrl);
    open.push(stranger);
    stranger.subscribe('pod');
    expect(await stranger.next('subscribeFailed')).toMatchObject({
      message: expect.stringMatching(/reserved/) as string,
    });

    const holder = await PlayerClient.connect(`${t.playerUrl}?${RESERVATION_QUERY_PARAM}=${r.id}`);
    expect(((await (await get(t, r.id)).json()) as Reservation).state).toBe('claimed');
    await holder.subscribeAndWaitOffer('pod');

    // The holder's socket drops: the reservation stays resumable and the stream stays allocated.
    await holder.terminate();
    await expect
      .poll(async () => ((await (await get(t, r.id)).json()) as Reservation).state)
      .toBe('resumable');
    expect(t.sidecar.status()).toMatchObject({ allocated: true, players: 0, reserved: true });
    stranger.subscribe('pod');
    await stranger.next('subscribeFailed');

    // The router re-claims it and the same player comes back to the same streamer.
    const resumed = await reserve(t, { resumeId: r.id });
    expect(resumed.status).toBe(201);
    expect(await resumed.json()).toMatchObject({ id: r.id });
    const back = await PlayerClient.connect(`${t.playerUrl}?${RESERVATION_QUERY_PARAM}=${r.id}`);
    open.push(back);
    await back.subscribeAndWaitOffer('pod');
    expect(await metric(t, SIDECAR.reservationsTotal, '{result="resumed"}')).toBe(1);

    // Release: the reservation goes; once the player leaves, the stream is free.
    const del = await fetch(`${t.httpUrl}/reservations/${r.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(del.status).toBe(204);
    expect((await get(t, r.id)).status).toBe(404);
    await back.close();
    await expect.poll(() => t.sidecar.status().available).toBe(true);
    expect((await reserve(t, { resumeId: r.id })).status).toBe(404);
  });

  it('lets exactly one of many racing requests win', async () => {
    const t = await withStreamer();
    const results = await Promise.all(Array.from({ length: 12 }, () => reserve(t)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    expect(await metric(t, SIDECAR.reservationsTotal, '{result="conflict"}')).toBe(11);
  });

  it('expires an unclaimed reservation after its TTL and an abandoned one after its grace', async () => {
    const t = await withStreamer();
    const r = (await (await reserve(t, { ttlSeconds: 1 })).json()) as Reservation;
    expect(t.sidecar.status().available).toBe(false);
    await expect.poll(() => t.sidecar.status().available, { timeout: 3000 }).toBe(true);
    expect((await get(t, r.id)).status).toBe(404);
    expect(await metric(t, SIDECAR.reservationsTotal, '{result="expired"}')).toBe(1);

    const r2 = (await (await reserve(t, { resumeSeconds: 1 })).json()) as Reservation;
    const p = await PlayerClient.connect(`${t.playerUrl}?${RESERVATION_QUERY_PARAM}=${r2.id}`);
    await p.subscribeAndWaitOffer('pod');
    await p.close();
    expect(t.sidecar.status()).toMatchObject({ reserved: true, available: false });
    await expect.poll(() => t.sidecar.status().available, { timeout: 3000 }).toBe(true);
    expect(await metric(t, SIDECAR.reservationsTotal, '{result="expired"}')).toBe(2);
  });

  it('refuses without the router token, when disabled, when draining and when unavailable', async () => {
    t = await startTestSidecar({ ROUTER_TOKEN: TOKEN, DRAIN_TIMEOUT_SECONDS: '1' });
    const none = await fetch(`${t.httpUrl}/reservations`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'unauthorized' });
    expect((await reserve(t, {}, 'router-token-abcdefghijklmnoX')).status).toBe(401);
    expect(await metric(t, SIDECAR.rejectionsTotal, '{reason="unauthorized"}')).toBe(2);
    // No streamer yet: nothing to reserve.
    expect((await reserve(t)).status).toBe(409);
    const bad = await postReservation(t, '{"ttlSeconds":"soon"}');
    expect(bad.status).toBe(400);
    const broken = await postReservation(t, '{not json');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'bad_request' });
    // Another type is never read (express.json() would skip it and grant as if the body were empty).
    const plain = await postReservation(t, 'garbage', 'text/plain');
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ code: 'bad_request' });
    await t.sidecar.drain();
    const draining = await reserve(t);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ code: 'draining' });
    await t.sidecar.close();

    t = await startTestSidecar();
    const disabled = await reserve(t);
    expect(disabled.status).toBe(404);
    expect(await disabled.json()).toMatchObject({ code: 'reservations_disabled' });
  });
});
