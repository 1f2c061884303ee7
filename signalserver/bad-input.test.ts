// Hostile and broken input: every refusal is coded, counted and logged, the offending socket alone is
// affected, and a legitimate session on the same sidecar keeps working — including under a property-based
// fuzz of hostile messages from both a player and a streamer socket.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE, SIDECAR } from '../common/index.js';
import { PlayerClient, SignallingClient } from '../test/support/player-client.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { playerSession, sample, sidecarPerTest, type TestSidecar } from './test-sidecar.js';

let t: TestSidecar | undefined;
const { open, start: startTestSidecar } = sidecarPerTest();

async function rejections(t: TestSidecar, reason: string): Promise<number> {
  const text = await (await fetch(t.metricsUrl)).text();
  return sample(text, SIDECAR.rejectionsTotal, `{reason="${reason}"}`) ?? 0;
}

/** A streamer and a subscribed player that have exchanged an offer. */
async function legitSession(t: TestSidecar, id = 'legit') {
  const { streamer, player } = await playerSession(t, open, id);
  const playerId = (await streamer.nextOf('playerConnected')).playerId as string;
  return { streamer, player, playerId };
}

/** Proves a session still relays both ways. */
async function stillWorks(s: Awaited<ReturnType<typeof legitSession>>, n: number) {
  s.player.send({ type: 'ping', time: n });
  expect(await s.player.nextOf('pong')).toEqual({ type: 'pong', time: n });
  s.player.candidate(`candidate:${n} 1 udp 1 192.0.2.1 ${n} typ host`);
  expect((await s.streamer.nextOf('iceCandidate')).candidate).toMatchObject({
    candidate: `candidate:${n} 1 udp 1 192.0.2.1 ${n} typ host`,
  });
  s.streamer.trickle(s.playerId, 1);
  expect(await s.player.nextOf('iceCandidate')).toMatchObject({ playerId: s.playerId });
}

describe('bad input', () => {
  it('ignores malformed frames with a coded reason and keeps the socket and others working', async () => {
    t = await startTestSidecar();
    const s = await legitSession(t);
    const bad = await PlayerClient.connect(t.playerUrl);
    open.push(bad);
    bad.sendRaw('not json at all');
    bad.sendRaw(Buffer.from([0xff, 0x00, 0xfe, 0x13, 0x37]));
    bad.sendRaw('[1,2,3]');
    bad.sendRaw('{"no":"type"}');
    bad.send({ type: 'subscribe', streamerId: 42 });
    bad.send({ type: 'iceCandidate', candidate: { candidate: 7 } });
    bad.send({ type: 'somethingFromTheFuture', x: 1 });
    // A player pretending to be a streamer.
    bad.send({ type: 'endpointId', id: 'fake' });
    bad.send({ type: 'disconnectPlayer', playerId: s.playerId });
    // Binary JSON is valid input (browsers may send it).
    bad.sendRaw(Buffer.from(JSON.stringify({ type: 'ping', time: 1 })), true);
    expect(await bad.nextOf('pong')).toEqual({ type: 'pong', time: 1 });
    expect(bad.isOpen).toBe(true);
    expect(await rejections(t, 'not_json')).toBe(2);
    expect(await rejections(t, 'not_object')).toBe(1);
    expect(await rejections(t, 'no_type')).toBe(1);
    expect(await rejections(t, 'bad_field')).toBe(2);
    expect(await rejections(t, 'unknown_type')).toBe(1);
    expect(await rejections(t, 'wrong_role')).toBe(2);
    // An offer naming another player's id is a browser offer for itself: it tries to join the taken
    // stream and, as a legacy-style player, is turned away with 1013.
    bad.send({ type: 'offer', sdp: 'x', playerId: s.playerId });
    expect((await bad.closed).code).toBe(CLOSE.tryAgainLater);
    expect(await rejections(t, 'full')).toBe(1);
    await stillWorks(s, 1);
    expect(t.sidecar.status().players).toBe(1);
  });

  it('closes a socket that sends a frame over the size cap with 1009', async () => {
    t = await startTestSidecar({ MAX_MESSAGE_BYTES: '4096' });
    const s = await legitSession(t);
    const big = await PlayerClient.connect(t.playerUrl);
    big.send({ type: 'answer', sdp: 'x'.repeat(10_000) });
    expect((await big.closed).code).toBe(CLOSE.tooLarge);
    expect(await rejections(t, 'too_large')).toBe(1);
    await stillWorks(s, 2);
  });

  it("closes a player with a streamer's over-long multi-byte reason cut to the 123 bytes a close frame holds", async () => {
    t = await startTestSidecar();
    const s = await legitSession(t);
    const { streamer, player: other, playerId } = await legitSession(t, 'other');
    streamer.send({ type: 'disconnectPlayer', playerId, reason: '\u{1F600}'.repeat(100) });
    const closed = await other.closed;
    expect(closed.code).toBe(CLOSE.disconnectedByStreamer);
    expect(closed.reason).toBe('\u{1F600}'.repeat(30));
    await stillWorks(s, 5);
    await expect.poll(() => t!.sidecar.status().players).toBe(1);
  });

  it('closes a flooding socket with 4429 after its burst', async () => {
    t = await startTestSidecar({ PLAYER_MESSAGES_PER_SECOND: '10', PLAYER_MESSAGE_BURST: '20' });
    const s = await legitSession(t);
    const flood = await PlayerClient.connect(t.playerUrl);
    for (let i = 0; i < 200; i++) flood.send({ type: 'ping', time: i });
    const closed = await flood.closed;
    expect(closed.code).toBe(CLOSE.rateLimited);
    expect(flood.received.filter((m) => m.type === 'pong').length).toBeLessThanOrEqual(21);
    expect(await rejections(t, 'rate_limited')).toBe(1);
    await stillWorks(s, 3);
  });

  it('closes a flooding streamer with 4429 under its own, larger budget, and its players with 4404', async () => {
    // Player limit off: only the streamer's own settings can close it (not the player's, not the defaults).
    t = await startTestSidecar({
      STREAMER_MESSAGES_PER_SECOND: '10',
      STREAMER_MESSAGE_BURST: '30',
      PLAYER_MESSAGES_PER_SECOND: '0',
    });
    const s = await legitSession(t);
    const { streamer: flood, player: victim } = await legitSession(t, 'flood');
    // 25 fit the burst of 30; 200 more do not.
    for (let i = 0; i < 25; i++) flood.send({ type: 'ping', time: i });
    await expect.poll(() => flood.received.filter((m) => m.type === 'pong').length).toBe(25);
    expect(flood.isOpen).toBe(true);
    for (let i = 0; i < 200; i++) flood.send({ type: 'ping', time: i });
    expect((await flood.closed).code).toBe(CLOSE.rateLimited);
    expect((await victim.closed).code).toBe(CLOSE.streamerGone);
    expect(await rejections(t, 'rate_limited')).toBe(1);
    await stillWorks(s, 6);
  });

  it('refuses player sockets over MAX_PLAYER_SOCKETS at the upgrade with a coded 503', async () => {
    t = await startTestSidecar({ MAX_PLAYER_SOCKETS: '3' });
    const s = await legitSession(t);
    const more = await Promise.all([PlayerClient.connect(t.playerUrl), PlayerClient.connect(t.playerUrl)]);
    open.push(...more);
    await expect(PlayerClient.connect(t.playerUrl)).rejects.toThrow(/HTTP 503/);
    expect(await rejections(t, 'too_many_sockets')).toBe(1);
    await stillWorks(s, 4);
    await more[0].close();
    await expect
      .poll(async () => {
        const p = await PlayerClient.connect(t!.playerUrl).catch(() => undefined);
        if (p) open.push(p);
        return p !== undefined;
      })
      .toBe(true);
  });

  it('refuses a streamer without the token before the upgrade (HTTP 401) and accepts one with it', async () => {
    const token = 'streamer-token-0123456789';
    t = await startTestSidecar({ STREAMER_TOKEN: token });
    await expect(SignallingClient.open(t.streamerUrl)).rejects.toThrow(/401/);
    await expect(SignallingClient.open(`${t.streamerUrl}?token=streamer-token-0123456780`)).rejects.toThrow(
      /401/,
    );
    expect(await rejections(t, 'unauthorized')).toBe(2);
    expect(t.sidecar.status().streamerConnected).toBe(false);
    const good = await StreamerStandIn.start(`${t.streamerUrl}?token=${token}`, { id: 'authed' });
    open.push(good);
    expect(await good.registered()).toBe('authed');
  });

  it('keeps a legitimate session working through a fuzz of hostile player and streamer messages', async () => {
    t = await startTestSidecar({ PLAYER_MESSAGES_PER_SECOND: '0', LEGACY_STREAMER_ID_MS: '0' });
    const s = await legitSession(t);
    let hostilePlayer = await PlayerClient.connect(t.playerUrl);
    let hostileStreamer = await SignallingClient.open(t.streamerUrl);
    open.push({ close: () => hostilePlayer.close() }, { close: () => hostileStreamer.close() });

    const types = [
      'subscribe',
      'unsubscribe',
      'offer',
      'answer',
      'iceCandidate',
      'ping',
      'pong',
      'listStreamers',
      'endpointId',
      'disconnectPlayer',
      'layerPreference',
      'playerConnected',
      'playerDisconnected',
      'dataChannelRequest',
      'peerDataChannels',
      'streamerDataChannels',
      'startStreaming',
      'stopStreaming',
      'config',
      'identify',
      '__proto__',
      'constructor',
      'x',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(s.playerId),
      fc.constant('legit'),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment', 'x'),
        fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      ),
    );
    const message = fc.oneof(
      fc
        .record({ type: fc.constantFrom(...types) })
        .chain((m) =>
          fc
            .dictionary(
              fc.constantFrom(
                'streamerId',
                'playerId',
                'sdp',
                'candidate',
                'time',
                'id',
                'spatialLayer',
                'temporalLayer',
                'reason',
                'protocolVersion',
                '__proto__',
              ),
              value,
              { maxKeys: 4 },
            )
            .map((fields) => JSON.stringify({ ...fields, type: m.type })),
        ),
      fc.string({ maxLength: 100 }),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.json({ maxDepth: 3 }),
    );

    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 15 }),
        fc.array(message, { minLength: 1, maxLength: 15 }),
        async (fromPlayer, fromStreamer) => {
          if (!hostilePlayer.isOpen) hostilePlayer = await PlayerClient.connect(t!.playerUrl);
          if (!hostileStreamer.isOpen) hostileStreamer = await SignallingClient.open(t!.streamerUrl);
          for (const m of fromPlayer) hostilePlayer.sendRaw(m);
          for (const m of fromStreamer) hostileStreamer.sendRaw(m);
          await stillWorks(s, ++round);
          expect(t!.sidecar.status()).toMatchObject({ players: 1, streamerId: 'legit', allocated: true });
        },
      ),
      { numRuns: 60 },
    );
    expect(s.player.isOpen && s.streamer.isOpen).toBe(true);
  });
});
