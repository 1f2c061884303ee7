// `GET /drained` on the metrics port, the GPU app's preStop hook: over real HTTP against a real sidecar with
// a streamer stand-in and a real player socket. The hook must not return while a player is still on the
// stream (the app would get SIGTERM mid-session), must return once the player leaves a draining sidecar,
// and must return when the sidecar closes (drain timeout), so the pod can finish stopping. Order, not time,
// is asserted: each answer is checked against what had happened when it arrived.
import { describe, expect, it, vi } from 'vitest';
import { PlayerClient } from '../test/support/player-client.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { DRAINED_PATH, type DrainedAnswer } from './drain-wait.js';
import { sidecarPerTest, type TestSidecar } from './test-sidecar.js';

const { open, start } = sidecarPerTest();

function drainedUrl(t: TestSidecar): string {
  return t.metricsUrl.replace(/\/metrics$/, DRAINED_PATH);
}

/** Starts the hook's request; `stage()` reports what the test had done when the answer arrived. */
function hook(
  t: TestSidecar,
  stage: () => string,
): Promise<{ status: number; body: DrainedAnswer; at: string }> {
  return fetch(drainedUrl(t)).then(async (res) => {
    const at = stage();
    return { status: res.status, body: (await res.json()) as DrainedAnswer, at };
  });
}

async function withSession(t: TestSidecar): Promise<PlayerClient> {
  const streamer = await StreamerStandIn.start(t.streamerUrl, { id: 'pod-a' });
  open.push(streamer);
  await streamer.registered();
  const player = await PlayerClient.connect(t.playerUrl);
  open.push(player);
  await player.subscribeAndWaitOffer('pod-a');
  player.answer();
  await streamer.nextOf('answer');
  return player;
}

describe('GET /drained (preStop hook of the GPU app)', () => {
  it('holds through the drain while a player is on the stream, and answers when the player leaves', async () => {
    const t = await start({ DRAIN_TIMEOUT_SECONDS: '600' });
    const player = await withSession(t);
    let stage = 'before drain';
    const answer = hook(t, () => stage);
    const drained = t.sidecar.drain();
    await vi.waitFor(async () => {
      const s = (await (await fetch(`${t.httpUrl}/status`)).json()) as { draining: boolean };
      expect(s.draining).toBe(true);
    });
    // Readiness is gone at once, the session still plays, the hook still waits.
    expect((await fetch(`${t.httpUrl}/readyz`)).status).toBe(503);
    stage = 'player leaving';
    await player.close();
    const { status, body, at } = await answer;
    expect(at).toBe('player leaving');
    expect(status).toBe(200);
    expect(body).toEqual({ drained: true, reason: 'idle', players: 0 });
    await drained;
  });

  it('answers at once when the sidecar is draining with no session', async () => {
    const t = await start();
    await t.sidecar.drain();
    const res = await fetch(drainedUrl(t));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ drained: true, reason: 'idle', players: 0 });
  });

  it('only reads state: an idle sidecar that is not draining holds the request until the drain starts', async () => {
    const t = await start();
    let stage = 'not draining';
    const answer = hook(t, () => stage);
    // The request is in (status and readiness unchanged by it) before the drain starts.
    const s = (await (await fetch(`${t.httpUrl}/status`)).json()) as { draining: boolean };
    expect(s.draining).toBe(false);
    stage = 'draining';
    await t.sidecar.drain();
    const { body, at } = await answer;
    expect(at).toBe('draining');
    expect(body).toEqual({ drained: true, reason: 'idle', players: 0 });
  });

  it('answers with drained=false when the drain times out and the sidecar closes with the player still on', async () => {
    const t = await start({ DRAIN_TIMEOUT_SECONDS: '1' });
    await withSession(t);
    let stage = 'draining';
    const answer = hook(t, () => stage);
    await t.sidecar.drain(); // resolves after the 1 s timeout: the player is still there
    stage = 'closing';
    await t.sidecar.close();
    const { status, body, at } = await answer;
    expect(at).toBe('closing');
    expect(status).toBe(200);
    expect(body).toEqual({ drained: false, reason: 'closing', players: 1 });
  });

  it('is GET only; other paths on the metrics port stay 404', async () => {
    const t = await start();
    expect((await fetch(drainedUrl(t), { method: 'POST' })).status).toBe(404);
    const other = await fetch(t.metricsUrl.replace(/\/metrics$/, '/nope'));
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'not_found' });
  });
});
