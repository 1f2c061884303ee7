// The six phases of Epic's protocol checker (docs/protocol.md §4), each with its strictness: every
// expected message arrives with exactly its fields, and nothing unexpected arrives in the window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlayerClient } from '../test/support/player-client.js';
import { STAND_IN_SDP, StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { nextPlayerConnected, startTestSidecar, type TestSidecar } from './test-sidecar.js';

// Epic's checker waits 3 s per phase; a shorter quiet window keeps the suite fast while still catching
// anything the server sends unprompted.
const QUIET_MS = 300;

describe('Epic protocol checker phases', () => {
  let t: TestSidecar;
  let streamer: StreamerStandIn;
  let player: PlayerClient;
  let playerId: string;

  beforeAll(async () => {
    t = await startTestSidecar();
  });
  afterAll(async () => {
    await player?.close();
    await streamer?.close();
    await t.sidecar.close();
  });

  it('phase 1: streamer gets config and identify, endpointId is confirmed; player gets config only', async () => {
    streamer = await StreamerStandIn.start(t.streamerUrl, {
      id: 'checker',
      protocolVersion: '1.0.0',
      autoOffer: false,
    });
    const config = await streamer.next('config');
    expect(config).toEqual({ type: 'config', peerConnectionOptions: {}, protocolVersion: '1.3.0' });
    expect(await streamer.next('identify')).toEqual({ type: 'identify' });
    expect(await streamer.next('endpointIdConfirm')).toEqual({
      type: 'endpointIdConfirm',
      committedId: 'checker',
    });
    await streamer.expectSilence(QUIET_MS);

    player = await PlayerClient.connect(t.playerUrl);
    expect(player.received[0]).toEqual({
      type: 'config',
      peerConnectionOptions: {},
      protocolVersion: '1.3.0',
    });
    await player.expectSilence(QUIET_MS);
  });

  it('phase 2: streamer ping gets pong with the same time', async () => {
    streamer.send({ type: 'ping', time: 1_700_000_000 });
    expect(await streamer.next('pong')).toEqual({ type: 'pong', time: 1_700_000_000 });
    await streamer.expectSilence(QUIET_MS);
  });

  it('phase 3: list, subscribe, offer, answer and candidates pass through exactly', async () => {
    expect(await player.listStreamers()).toEqual(['checker']);
    player.subscribe('checker');
    playerId = await nextPlayerConnected(streamer);
    expect(playerId).toBe('101');

    streamer.send({ type: 'offer', sdp: STAND_IN_SDP, playerId });
    expect(await player.next('offer')).toEqual({ type: 'offer', sdp: STAND_IN_SDP, playerId });

    player.send({ type: 'answer', sdp: 'answer-sdp' });
    expect(await streamer.next('answer')).toEqual({ type: 'answer', sdp: 'answer-sdp', playerId });

    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    };
    streamer.send({ type: 'iceCandidate', playerId, candidate });
    const got = await player.next('iceCandidate');
    expect(got).toEqual({ type: 'iceCandidate', candidate, playerId });

    player.send({ type: 'iceCandidate', candidate });
    expect(await streamer.next('iceCandidate')).toEqual({ type: 'iceCandidate', candidate, playerId });
    await Promise.all([streamer.expectSilence(QUIET_MS), player.expectSilence(0)]);
  });

  it('phase 4: layerPreference reaches the streamer with the player id', async () => {
    player.send({ type: 'layerPreference', spatialLayer: 1, temporalLayer: 2 });
    expect(await streamer.next('layerPreference')).toEqual({
      type: 'layerPreference',
      spatialLayer: 1,
      temporalLayer: 2,
      playerId,
    });
    await Promise.all([streamer.expectSilence(QUIET_MS), player.expectSilence(0)]);
  });

  it('phase 5: disconnectPlayer closes the player socket and the streamer gets playerDisconnected', async () => {
    streamer.disconnectPlayer(playerId, 'checker says bye');
    expect((await player.closed).code).toBe(1011);
    expect(await streamer.next('playerDisconnected')).toEqual({ type: 'playerDisconnected', playerId });
    await streamer.expectSilence(QUIET_MS);
  });

  it('phase 6: a new player lists, subscribes, gets the offer, closes; the streamer hears of it', async () => {
    const p2 = await PlayerClient.connect(t.playerUrl);
    expect(await p2.listStreamers()).toEqual(['checker']);
    p2.subscribe('checker');
    const connected = await streamer.next('playerConnected');
    expect(connected.playerId).toBe('102');
    streamer.send({ type: 'offer', sdp: STAND_IN_SDP, playerId: '102' });
    expect(await p2.next('offer')).toEqual({ type: 'offer', sdp: STAND_IN_SDP, playerId: '102' });
    await p2.close();
    expect(await streamer.next('playerDisconnected')).toEqual({
      type: 'playerDisconnected',
      playerId: '102',
    });
    await streamer.expectSilence(QUIET_MS);
  });
});
