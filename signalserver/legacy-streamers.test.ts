// Older Unreal streamer generations (docs/protocol.md §3): each stand-in closes its socket on any message
// type its generation does not know, exactly as the old plugins do, so a single stray message fails here.
// Covered: UE 4.27-like (the browser offers, unknown types close), UE 5.0/5.1-like (endpointIdConfirm and
// layerPreference close), numeric player ids, and two streamers claiming the same id.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlayerClient } from '../test/support/player-client.js';
import { STAND_IN_SDP, StreamerStandIn, type StreamerOptions } from '../test/support/streamer-stand-in.js';
import { connectPlayer, playerSession, startTestSidecar, type TestSidecar } from './test-sidecar.js';

const UE427_KNOWN = ['config', 'identify', 'playerDisconnected', 'offer', 'answer', 'iceCandidate', 'pong'];
// UE 5.0 added playerConnected and its own pings to what 4.27 knew.
const UE50_KNOWN = [...UE427_KNOWN, 'playerConnected', 'ping'];

let t: TestSidecar | undefined;
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await t?.sidecar.close();
});

/** An old-generation stand-in on `t`, past the config and identify every generation is sent first. */
async function oldStreamer(t: TestSidecar, options: StreamerOptions): Promise<StreamerStandIn> {
  const streamer = await StreamerStandIn.start(t.streamerUrl, options);
  open.push(streamer);
  await streamer.next('config');
  await streamer.next('identify');
  return streamer;
}

describe('UE 4.27-like streamer (never names itself, browser offers)', () => {
  it('relays a browser offer with a numeric-string player id and never sends a newer type', async () => {
    t = await startTestSidecar({ LEGACY_STREAMER_ID_MS: '5000' });
    const streamer = await oldStreamer(t, {
      id: null,
      numericPlayerIds: true,
      closeOnUnknown: { code: 4001, known: UE427_KNOWN },
    });

    // The browser offers right after config, without listing or subscribing.
    const player = await connectPlayer(t, open);
    player.send({
      type: 'offer',
      sdp: 'browser-offer',
      minBitrateBps: 100000,
      maxBitrateBps: 2000000,
      extra: 'dropped',
    });
    expect(await streamer.next('offer')).toEqual({
      type: 'offer',
      sdp: 'browser-offer',
      playerId: '101',
      minBitrateBps: 100000,
      maxBitrateBps: 2000000,
    });
    // The 4.27 streamer answers with an integer player id; the browser sees the string form.
    expect(await player.next('answer')).toEqual({ type: 'answer', sdp: STAND_IN_SDP, playerId: '101' });
    expect(await player.next('iceCandidate')).toMatchObject({ playerId: '101' });
    expect(await player.next('iceCandidate')).toMatchObject({ playerId: '101' });
    expect(t.sidecar.status()).toMatchObject({
      streamerConnected: true,
      streamerId: 'DefaultStreamer',
      players: 1,
    });

    // A second browser finds the stream taken: legacy players cannot read subscribeFailed, so 1013.
    const late = await PlayerClient.connect(t.playerUrl);
    open.push(late);
    late.send({ type: 'offer', sdp: 'late-offer' });
    expect((await late.closed).code).toBe(1013);

    await player.close();
    expect(await streamer.next('playerDisconnected')).toEqual({
      type: 'playerDisconnected',
      playerId: '101',
    });
    await streamer.expectNothingFrom();
    expect(streamer.killedBy).toBeUndefined();
    expect(streamer.isOpen).toBe(true);
  });

  it('is registered under the default id after the grace time and listed to players', async () => {
    t = await startTestSidecar({ LEGACY_STREAMER_ID_MS: '200' });
    const streamer = await oldStreamer(t, { id: null, closeOnUnknown: { code: 4001, known: UE427_KNOWN } });
    await vi.waitFor(() =>
      expect(t!.sidecar.status()).toMatchObject({
        streamerConnected: true,
        streamerId: 'DefaultStreamer',
        available: true,
      }),
    );
    const player = await connectPlayer(t, open);
    expect(await player.listStreamers()).toEqual(['DefaultStreamer']);
    // A 1.3.0 player subscribing to a 4.27 streamer: no playerConnected (it would kill the streamer).
    player.subscribe('DefaultStreamer');
    player.send({ type: 'layerPreference', spatialLayer: 0, temporalLayer: 0 });
    await streamer.expectNothingFrom(player);
    expect(streamer.received.map((m) => m.type)).toEqual(['config', 'identify']);
    expect(streamer.isOpen).toBe(true);
  });
});

describe('UE 5.0/5.1-like streamer (endpointId without protocolVersion, integer player ids)', () => {
  it('gets playerConnected but never endpointIdConfirm or layerPreference; numeric ids work', async () => {
    t = await startTestSidecar();
    const streamer = await oldStreamer(t, {
      id: 'ue50',
      protocolVersion: null,
      numericPlayerIds: true,
      closeOnUnknown: { code: 4000, known: UE50_KNOWN },
    });
    const player = await connectPlayer(t, open);
    await expect.poll(() => t!.sidecar.status().streamerId).toBe('ue50');
    expect(await player.listStreamers()).toEqual(['ue50']);
    player.subscribe('ue50');
    expect(await streamer.next('playerConnected')).toEqual({
      type: 'playerConnected',
      playerId: '101',
      dataChannel: true,
      sfu: false,
    });
    expect(await player.next('offer')).toEqual({ type: 'offer', sdp: STAND_IN_SDP, playerId: '101' });
    player.send({ type: 'layerPreference', spatialLayer: 1, temporalLayer: 1 });
    player.answer('a');
    expect(await streamer.next('answer')).toEqual({ type: 'answer', sdp: 'a', playerId: '101' });
    streamer.send({ type: 'ping', time: 5 });
    expect(await streamer.next('pong')).toEqual({ type: 'pong', time: 5 });

    streamer.disconnectPlayer('101');
    expect((await player.closed).code).toBe(1011);
    expect(await streamer.next('playerDisconnected')).toEqual({
      type: 'playerDisconnected',
      playerId: '101',
    });
    await streamer.expectNothingFrom();
    expect(streamer.killedBy).toBeUndefined();
  });

  it('tells subscribed players when their streamer renames itself', async () => {
    t = await startTestSidecar();
    const { streamer, player } = await playerSession(t, open, 'before');
    streamer.send({ type: 'endpointId', id: 'after', protocolVersion: '1.1.0' });
    expect(await player.next('streamerIdChanged')).toEqual({ type: 'streamerIdChanged', newID: 'after' });
    expect(await streamer.nextOf('endpointIdConfirm')).toEqual({
      type: 'endpointIdConfirm',
      committedId: 'after',
    });
    expect(await player.listStreamers()).toEqual(['after']);
    expect(t.sidecar.status()).toMatchObject({ streamerId: 'after', players: 1 });
  });

  it('keeps streamers with clashing ids apart with a numeric suffix', async () => {
    t = await startTestSidecar({ MAX_PLAYERS_PER_STREAMER: '1' });
    const a = await StreamerStandIn.start(t.streamerUrl, { id: 'same' });
    const b = await StreamerStandIn.start(t.streamerUrl, { id: 'same' });
    open.push(a, b);
    expect(await a.registered()).toBe('same');
    expect(await b.registered()).toBe('same2');
    const player = await connectPlayer(t, open);
    expect(await player.listStreamers()).toEqual(['same', 'same2']);
  });
});
