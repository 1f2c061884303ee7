// The sidecar as a real child process: the "listening" line (and silence at LOG_LEVEL=silent), SIGTERM drain
// (not ready, no new sessions, live sessions continue, exit 0 when they end or at the timeout), the fields of
// the session and refusal log lines, a bad environment exiting 2 and a port in use exiting 1. A streamer's
// 200 000-character close reason and a 5000-character player id are cut in the real log lines.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE, SIDECAR } from '../common/index.js';
import { PlayerClient, SignallingClient } from '../test/support/player-client.js';
import { freePort, startNode, type RunningProcess } from '../test/support/processes.js';
import { refusesToStart } from '../test/support/config-refusal.js';
import { EPHEMERAL_SIDECAR_ENV } from '../test/support/sidecar-env.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { sample } from './test-sidecar.js';

const EPHEMERAL = EPHEMERAL_SIDECAR_ENV;
let proc: RunningProcess | undefined;
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await proc?.stop('SIGKILL');
  proc = undefined;
});

async function start(env: Record<string, string>) {
  proc = startNode('signalserver/main.ts', { ...EPHEMERAL, ...env });
  const line = await proc.waitFor((l) => l.msg === 'listening');
  const ports = line as unknown as {
    playerPort: number;
    streamerPort: number;
    sfuPort: number;
    metricsPort: number;
  };
  const http = `http://127.0.0.1:${ports.playerPort}`;
  const token = env.STREAMER_TOKEN === undefined ? '' : `?token=${env.STREAMER_TOKEN}`;
  const streamer = await StreamerStandIn.start(`ws://127.0.0.1:${ports.streamerPort}/${token}`, {
    id: 'drainee',
    candidates: 0,
  });
  open.push(streamer);
  await streamer.registered();
  const player = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
  open.push(player);
  await player.subscribeAndWaitOffer('drainee');
  return { proc, ports, http, streamer, player, metrics: `http://127.0.0.1:${ports.metricsPort}/metrics` };
}

describe('signalserver/main.ts', () => {
  it('drains on SIGTERM: not ready, no new sessions, the live one continues, exit 0 when it ends', async () => {
    const s = await start({ DRAIN_TIMEOUT_SECONDS: '60' });
    expect(s.ports.sfuPort).toBe(0);
    expect((await fetch(`${s.http}/readyz`)).status).toBe(200);
    s.proc.child.kill('SIGTERM');
    await s.proc.waitFor((l) => l.msg === 'draining');
    expect((await fetch(`${s.http}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${s.http}/status`)).json()).toMatchObject({
      draining: true,
      allocated: true,
      available: false,
      players: 1,
    });
    expect(sample(await (await fetch(s.metrics)).text(), SIDECAR.draining)).toBe(1);

    const late = await PlayerClient.connect(`ws://127.0.0.1:${s.ports.playerPort}/`);
    open.push(late);
    late.subscribe('drainee');
    expect(await late.next('subscribeFailed')).toMatchObject({
      message: expect.stringMatching(/shutting down/) as string,
    });

    // The live session still relays.
    s.player.answer('still-here');
    expect(await s.streamer.nextOf('answer')).toMatchObject({ sdp: 'still-here' });
    // A window proving the draining process does not exit under a live session: not a wait for an event.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.proc.child.exitCode).toBeNull();

    await s.player.close();
    expect(await s.proc.exited).toBe(0);
    expect(s.proc.lines.some((l) => l.msg === 'drain finished' && l.result === 'idle')).toBe(true);
  });

  it('ends live sessions at DRAIN_TIMEOUT_SECONDS and exits 0', async () => {
    const s = await start({ DRAIN_TIMEOUT_SECONDS: '1' });
    const t0 = Date.now();
    s.proc.child.kill('SIGTERM');
    expect((await s.player.closed).code).toBe(CLOSE.goingAway);
    expect(await s.proc.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(s.proc.lines.some((l) => l.msg === 'drain finished' && l.result === 'timeout')).toBe(true);
  });

  it('logs sessions with player, streamer and session ids, through to the player socket closing', async () => {
    const s = await start({});
    const connected = await s.proc.waitFor((l) => l.msg === 'player connected');
    expect(connected).toMatchObject({ level: 'info', playerId: '101' });
    const started = await s.proc.waitFor((l) => l.msg === 'session started');
    expect(started).toMatchObject({
      playerId: '101',
      streamerId: 'drainee',
      sessionId: expect.any(String) as string,
    });
    await s.player.close(1000, 'bye');
    const ended = await s.proc.waitFor((l) => l.msg === 'session ended');
    expect(ended).toMatchObject({
      playerId: '101',
      streamerId: 'drainee',
      sessionId: started.sessionId,
      reason: 'player_left',
    });
    const left = await s.proc.waitFor((l) => l.msg === 'player disconnected');
    expect(left).toMatchObject({
      playerId: '101',
      streamerId: 'drainee',
      sessionId: started.sessionId,
      code: 1000,
      reason: 'bye',
    });

    // A session ended by its streamer: the player's close still names that session.
    const next = await PlayerClient.connect(`ws://127.0.0.1:${s.ports.playerPort}/`);
    open.push(next);
    await next.subscribeAndWaitOffer('drainee');
    const second = await s.proc.waitFor((l) => l.msg === 'session started' && l.playerId === '102');
    expect(second.sessionId).not.toBe(started.sessionId);
    await s.streamer.close();
    expect((await next.closed).code).toBe(CLOSE.streamerGone);
    const gone = await s.proc.waitFor((l) => l.msg === 'player disconnected' && l.playerId === '102');
    expect(gone).toMatchObject({
      streamerId: 'drainee',
      sessionId: second.sessionId,
      code: CLOSE.streamerGone,
    });
    expect(s.proc.lines.find((l) => l.msg === 'session ended' && l.playerId === '102')).toMatchObject({
      sessionId: second.sessionId,
      reason: 'streamer_gone',
    });
  });

  it("cuts a peer's free text in log lines to 200 characters, marked with its length", async () => {
    const s = await start({});
    await s.proc.waitFor((l) => l.msg === 'session started');
    // A player id the streamer names is quoted in the refusal's detail.
    s.streamer.send({ type: 'disconnectPlayer', playerId: 'p'.repeat(5000), reason: 'no such player' });
    const refused = await s.proc.waitFor((l) => l.msg === 'refused' && l.reason === 'not_subscriber');
    expect(refused.detail).toBe(`disconnectPlayer for ${'p'.repeat(179)}… [cut, 5056 characters]`);
    // A reason up to the 256 KiB message cap, and one that is not even a string.
    s.streamer.send({ type: 'disconnectPlayer', playerId: '101', reason: 'r'.repeat(200_000) });
    const byStreamer = await s.proc.waitFor((l) => l.msg === 'player disconnected by streamer');
    expect(byStreamer.reason).toBe(`${'r'.repeat(200)}… [cut, 200000 characters]`);
    expect(JSON.stringify(byStreamer).length).toBeLessThan(1000);
    expect((await s.player.closed).code).toBe(CLOSE.disconnectedByStreamer);

    const next = await PlayerClient.connect(`ws://127.0.0.1:${s.ports.playerPort}/`);
    open.push(next);
    await next.subscribeAndWaitOffer('drainee');
    await s.proc.waitFor((l) => l.msg === 'session started' && l.playerId === '102');
    s.streamer.send({ type: 'disconnectPlayer', playerId: '102', reason: { words: 'w'.repeat(300) } });
    const objectReason = await s.proc.waitFor(
      (l) => l.msg === 'player disconnected by streamer' && l.playerId === '102',
    );
    expect(objectReason.reason).toBe(`{"words":"${'w'.repeat(190)}… [cut, 312 characters]`);
  });

  it('logs refusals as warn lines with their reason, role and where they came from', async () => {
    const token = 'streamer-token-0123456789';
    const s = await start({ STREAMER_TOKEN: token });
    await expect(
      SignallingClient.open(`ws://127.0.0.1:${s.ports.streamerPort}/?token=streamer-token-0123456780`),
    ).rejects.toThrow(/401/);
    const unauthorized = await s.proc.waitFor((l) => l.msg === 'refused' && l.reason === 'unauthorized');
    expect(unauthorized).toMatchObject({
      level: 'warn',
      role: 'streamer',
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as string,
    });

    // MAX_PLAYERS_PER_STREAMER defaults to 1 and player 101 holds the stream.
    const late = await PlayerClient.connect(`ws://127.0.0.1:${s.ports.playerPort}/`);
    open.push(late);
    late.subscribe('drainee');
    const failed = await late.next('subscribeFailed');
    const full = await s.proc.waitFor((l) => l.msg === 'refused' && l.reason === 'full');
    expect(full).toMatchObject({ level: 'warn', role: 'player', playerId: '102', detail: failed.message });
    expect(failed.message).toBe('Streamer has reached its maximum number of players');
    expect(full.sessionId).toBeUndefined();
  });

  it('prints nothing at LOG_LEVEL=silent, not even the listening line', async () => {
    const playerPort = await freePort();
    proc = startNode('signalserver/main.ts', {
      ...EPHEMERAL,
      PLAYER_PORT: String(playerPort),
      LOG_LEVEL: 'silent',
    });
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${playerPort}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 10_000 },
      )
      .toBe(200);
    const player = await PlayerClient.connect(`ws://127.0.0.1:${playerPort}/`);
    await player.close();
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.lines).toEqual([]);
  });

  it('exits 1 naming the variables when a port cannot be bound, without a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      proc = startNode('signalserver/main.ts', { ...EPHEMERAL, STREAMER_PORT: String(port) });
      expect(await proc.exited).toBe(1);
      expect(proc.lines.map((l) => l.msg)).toEqual([
        `signalserver: cannot start: STREAMER_PORT=${port} on STREAMER_HOST=127.0.0.1: cannot listen: address already in use`,
      ]);
    } finally {
      taken.close();
    }
  });

  it('exits 2 listing every problem of a bad environment', async () => {
    const refused = await refusesToStart(
      'signalserver',
      {
        PLAYER_PORT: 'eighty',
        MAX_PLAYERS_PER_STREAMER: '0',
        ICE_TRANSPORT_POLICY: 'sometimes',
        LOG_LEVEL: 'loud',
        // A secret file's trailing newline: never echoed, refused rather than never matching.
        STREAMER_TOKEN: 'streamer-token-0123456789\n',
      },
      `
        PLAYER_PORT="eighty": must be an integer between 0 and 65535
        MAX_PLAYERS_PER_STREAMER="0": must be ≥ 1
        STREAMER_TOKEN=(hidden): must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)
        ICE_TRANSPORT_POLICY="sometimes": must be one of all, relay
        LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent
      `,
    );
    expect(refused.lines.map((l) => l.msg).join('\n')).not.toContain('streamer-token-0123456789');
  });
});
