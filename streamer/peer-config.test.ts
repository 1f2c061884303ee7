// werift's configuration from ours, on real werift peer connections: no ICE server but the configured
// ones (werift's public STUN fallback is taken away), one bundled transport, and trickle ICE from
// PlayerPeer — the offer goes out before gathering ends and the candidates follow it.
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Message } from '../common/index.js';
import { onlyConfiguredStun, peerConfig } from './peer-config.js';
import { PlayerPeer, codecParameters } from './player-peer.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

function peerWithMedia(iceServers: { urls: string }[]): RTCPeerConnection {
  const pc = new RTCPeerConnection(
    peerConfig({
      options: { iceServers },
      extraHosts: ['127.0.0.1'],
      portRange: undefined,
      codecs: { video: [codecParameters('vp8')], audio: [] },
    }),
  );
  open.push(pc);
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  pc.createDataChannel('datachannel');
  return pc;
}

describe('peerConfig and onlyConfiguredStun', () => {
  it('leaves an agent without a STUN server when none is configured (werift would use a public one)', () => {
    const pc = peerWithMedia([]);
    // werift's own fallback, which is what this module exists to remove.
    expect(pc.iceTransports.map((t) => t.connection.stunServer)).toEqual([['stun.l.google.com', 19302]]);
    onlyConfiguredStun(pc);
    expect(pc.iceTransports.map((t) => t.connection.stunServer)).toEqual([undefined]);
  });

  it('keeps the STUN server that is configured', () => {
    const pc = peerWithMedia([{ urls: 'stun:192.0.2.9:3478' }]);
    onlyConfiguredStun(pc);
    expect(pc.iceTransports.map((t) => t.connection.stunServer)).toEqual([['192.0.2.9', 3478]]);
  });

  it('bundles video and data on one transport', () => {
    expect(peerWithMedia([]).iceTransports).toHaveLength(1);
  });
});

describe('PlayerPeer trickle ICE', () => {
  it('sends the offer before gathering ends, then each candidate as it is found', async () => {
    const sent: Message[] = [];
    let gatheringDone = false;
    // A TURN server that never answers keeps gathering open (werift retries the allocation for long).
    const peer = new PlayerPeer({
      playerId: '7',
      attach: () => () => undefined,
      attachAudio: undefined,
      codec: 'vp8',
      peerConnectionOptions: {
        iceServers: [{ urls: 'turn:192.0.2.77:3478?transport=udp', username: 'u', credential: 'c' }],
        iceTransportPolicy: 'all',
      },
      iceExtraHosts: ['127.0.0.1'],
      icePortRange: undefined,
      log: createLogger('test', 'silent'),
      send: (m) => sent.push(m),
      onData: () => undefined,
      onDataChannelOpen: () => undefined,
      onKeyframeNeeded: () => undefined,
      onFailed: () => undefined,
      onClosed: () => undefined,
      connectTimeoutMs: 60_000,
    });
    open.push({ close: () => peer.close('test over') });
    void peer.start().then(() => (gatheringDone = true));
    await expect.poll(() => sent.filter((m) => m.type === 'iceCandidate').length).toBeGreaterThan(0);
    expect(gatheringDone).toBe(false);
    expect(sent[0]).toMatchObject({ type: 'offer', playerId: '7' });
    const offer = sent[0] as Message & { sdp: string };
    expect(offer.sdp).not.toContain('a=candidate');
    const first = sent.find((m) => m.type === 'iceCandidate') as Message & {
      candidate: { candidate: string };
    };
    expect(first.candidate.candidate).toContain('typ host');
  });
});
