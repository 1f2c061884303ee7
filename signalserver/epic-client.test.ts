// Epic's own published protocol library (lib-pixelstreamingcommon) as a real client: one streamer flow and
// one player flow against the sidecar, with every message we send checked by Epic's strict validator
// (required fields present, no unknown fields).
import {
  Logger,
  MessageHelpers,
  Messages,
  SignallingProtocol,
  WebSocketTransportNJS,
  overrideLogger,
  type BaseMessage,
  type ILogger,
} from '@epicgames-ps/lib-pixelstreamingcommon-ue5.7';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestSidecar, type TestSidecar } from './test-sidecar.js';

const errors: string[] = [];
const quiet: ILogger = {
  InitLogging: () => {},
  Debug: () => {},
  Info: () => {},
  Warning: () => {},
  Error: (m: string) => void errors.push(m),
};

interface Endpoint {
  protocol: SignallingProtocol;
  received: BaseMessage[];
  invalid: BaseMessage[];
}

function endpoint(url: string): Endpoint {
  const transport = new WebSocketTransportNJS();
  const protocol = new SignallingProtocol(transport);
  const e: Endpoint = { protocol, received: [], invalid: [] };
  transport.on('message', (m: BaseMessage) => {
    e.received.push(m);
    if (MessageHelpers.validateMessage(m) === null) e.invalid.push(m);
  });
  protocol.connect(url);
  return e;
}

async function until(what: string, pred: () => boolean, timeout = 3000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!pred()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout, interval: 10 },
  );
}

const types = (e: Endpoint) => e.received.map((m) => m.type);

describe("Epic's lib-pixelstreamingcommon against the sidecar", () => {
  let t: TestSidecar;
  let saved: ILogger;
  beforeAll(async () => {
    saved = Logger;
    overrideLogger(quiet);
    t = await startTestSidecar();
  });
  afterAll(async () => {
    overrideLogger(saved);
    await t.sidecar.close();
  });

  it('runs a full streamer and player session with only valid messages', async () => {
    const sdpOffer = 'v=0\r\no=- 10 2 IN IP4 127.0.0.1\r\ns=-\r\n';
    const sdpAnswer = 'v=0\r\no=- 20 2 IN IP4 127.0.0.1\r\ns=-\r\n';
    const cand = {
      candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 40000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };

    const streamer = endpoint(t.streamerUrl);
    streamer.protocol.on('identify', () => {
      streamer.protocol.sendMessage(
        MessageHelpers.createMessage(Messages.endpointId, { id: 'EpicStreamer', protocolVersion: '1.0.0' }),
      );
    });
    streamer.protocol.on('playerConnected', (m: { playerId: string }) => {
      streamer.protocol.sendMessage(
        MessageHelpers.createMessage(Messages.offer, { sdp: sdpOffer, playerId: m.playerId }),
      );
      streamer.protocol.sendMessage(
        MessageHelpers.createMessage(Messages.iceCandidate, { candidate: cand, playerId: m.playerId }),
      );
    });
    streamer.protocol.on('ping', (m: { time: number }) => {
      streamer.protocol.sendMessage(MessageHelpers.createMessage(Messages.pong, { time: m.time }));
    });
    await until('endpointIdConfirm', () => types(streamer).includes('endpointIdConfirm'));
    expect(types(streamer)).toEqual(['config', 'identify', 'endpointIdConfirm']);
    streamer.protocol.sendMessage(MessageHelpers.createMessage(Messages.ping, { time: 12345 }));
    await until('pong', () => types(streamer).includes('pong'));

    const player = endpoint(t.playerUrl);
    player.protocol.on('config', () =>
      player.protocol.sendMessage(MessageHelpers.createMessage(Messages.listStreamers)),
    );
    player.protocol.on('streamerList', (m: { ids: string[] }) => {
      player.protocol.sendMessage(MessageHelpers.createMessage(Messages.subscribe, { streamerId: m.ids[0] }));
    });
    player.protocol.on('offer', () => {
      player.protocol.sendMessage(MessageHelpers.createMessage(Messages.answer, { sdp: sdpAnswer }));
      player.protocol.sendMessage(MessageHelpers.createMessage(Messages.iceCandidate, { candidate: cand }));
      player.protocol.sendMessage(
        MessageHelpers.createMessage(Messages.layerPreference, { spatialLayer: 0, temporalLayer: 1 }),
      );
    });

    await until('streamer candidate and layer preference', () => types(streamer).includes('layerPreference'));
    await until('player candidate', () => types(player).includes('iceCandidate'));
    expect(types(player)).toEqual(['config', 'streamerList', 'offer', 'iceCandidate']);
    expect(player.received[1]).toMatchObject({ ids: ['EpicStreamer'] });
    expect(player.received[2]).toMatchObject({ sdp: sdpOffer });
    expect(types(streamer)).toEqual([
      'config',
      'identify',
      'endpointIdConfirm',
      'pong',
      'playerConnected',
      'answer',
      'iceCandidate',
      'layerPreference',
    ]);
    const playerId = (streamer.received[4] as unknown as { playerId: string }).playerId;
    expect(streamer.received[5]).toMatchObject({ sdp: sdpAnswer, playerId });
    expect(streamer.received[6]).toMatchObject({ candidate: cand, playerId });

    player.protocol.disconnect();
    await until('playerDisconnected', () => types(streamer).includes('playerDisconnected'));
    expect(streamer.received.at(-1)).toEqual({ type: 'playerDisconnected', playerId });

    expect(streamer.invalid).toEqual([]);
    expect(player.invalid).toEqual([]);
    expect(errors).toEqual([]);
    streamer.protocol.disconnect();
  });
});
