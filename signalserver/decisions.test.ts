// Table tests for the pure decisions: allocation/readiness, subscribe rules, generation filtering, rate
// limiting and ICE configuration.
import { describe, expect, it } from 'vitest';
import { verifyTurnCredential } from '../common/index.js';
import { decideSubscribe, isReady, podStatus, type PodFacts, type SubscribeFacts } from './allocation.js';
import { peerConnectionOptions } from './ice-config.js';
import { tokenBucket } from './rate-limit.js';
import { generationOf, streamerAccepts } from './streamer-generations.js';

describe('podStatus and readiness', () => {
  const idle: PodFacts = { streamerIds: [], players: 0, draining: false, reserved: false };
  it.each<[Partial<PodFacts>, boolean, boolean, boolean, boolean]>([
    // facts, then: streamer connected, allocated, available, ready
    [{}, false, false, false, false],
    [{ streamerIds: ['a'] }, true, false, true, true],
    [{ streamerIds: ['a'], players: 1 }, true, true, false, true],
    [{ streamerIds: ['a'], reserved: true }, true, true, false, true],
    [{ streamerIds: ['a'], draining: true }, true, false, false, false],
    [{ reserved: true }, false, true, false, false],
  ])(
    '%j → connected=%s allocated=%s available=%s ready=%s',
    (facts, connected, allocated, available, ready) => {
      const s = podStatus({ ...idle, ...facts });
      expect(s).toMatchObject({ streamerConnected: connected, allocated, available });
      expect(isReady(s)).toBe(ready);
    },
  );
});

describe('decideSubscribe', () => {
  const base: SubscribeFacts = {
    streamerExists: true,
    isStreamer: true,
    subscribers: 0,
    maxPlayers: 1,
    draining: false,
    reservationId: undefined,
    playerReservationId: undefined,
    staleHolder: false,
  };
  it.each<[Partial<SubscribeFacts>, string]>([
    [{}, 'ok'],
    [{ streamerExists: false }, 'unknown_streamer'],
    [{ draining: true }, 'draining'],
    [{ subscribers: 1 }, 'full'],
    [{ subscribers: 1, maxPlayers: 2 }, 'ok'],
    [{ subscribers: 5, isStreamer: false }, 'ok'],
    [{ reservationId: 'r' }, 'reserved'],
    [{ reservationId: 'r', playerReservationId: 'other' }, 'reserved'],
    [{ reservationId: 'r', playerReservationId: 'r' }, 'ok'],
    [{ reservationId: 'r', playerReservationId: 'r', subscribers: 1 }, 'full'],
    [{ reservationId: 'r', playerReservationId: 'r', subscribers: 1, staleHolder: true }, 'evict'],
    [{ reservationId: 'r', playerReservationId: 'r', draining: true }, 'draining'],
  ])('%j → %s', (facts, expected) => {
    const d = decideSubscribe({ ...base, ...facts });
    expect(d.ok ? (d.evictStaleHolder ? 'evict' : 'ok') : d.reason).toBe(expected);
  });
});

describe('streamer generations', () => {
  it.each([
    [false, false, 'legacy'],
    [true, false, 'unversioned'],
    [true, true, 'versioned'],
  ] as const)('endpointId=%s version=%s → %s', (sent, versioned, gen) => {
    expect(generationOf(sent, versioned)).toBe(gen);
  });
  it.each([
    ['legacy', 'playerConnected', false],
    ['legacy', 'endpointIdConfirm', false],
    ['legacy', 'layerPreference', false],
    ['legacy', 'offer', true],
    ['legacy', 'playerDisconnected', true],
    ['unversioned', 'playerConnected', true],
    ['unversioned', 'endpointIdConfirm', false],
    ['unversioned', 'layerPreference', false],
    ['unversioned', 'subscribeFailed', false],
    ['versioned', 'layerPreference', true],
    ['versioned', 'endpointIdConfirm', true],
  ] as const)('%s accepts %s: %s', (gen, type, ok) => {
    expect(streamerAccepts(gen, type)).toBe(ok);
  });
});

describe('tokenBucket', () => {
  it('allows the burst, then the steady rate', () => {
    const b = tokenBucket(10, 5, 0);
    expect(Array.from({ length: 6 }, () => b.take(0))).toEqual([true, true, true, true, true, false]);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
    // Idle time refills up to the burst, never beyond.
    expect(Array.from({ length: 6 }, () => b.take(10_000)).filter(Boolean)).toHaveLength(5);
  });
  it('is off at 0/s', () => {
    const b = tokenBucket(0, 1, 0);
    expect(Array.from({ length: 1000 }, () => b.take(0)).every(Boolean)).toBe(true);
  });
});

describe('peerConnectionOptions', () => {
  it('is empty without STUN/TURN', () => {
    expect(
      peerConnectionOptions({ turn: undefined, stunUrls: [], iceTransportPolicy: 'all' }, '101'),
    ).toEqual({});
  });
  it('carries STUN, per-peer TURN credentials and the relay policy', () => {
    const now = 1_700_000_000_000;
    const o = peerConnectionOptions(
      {
        turn: { secret: 's3cret', urls: ['turn:turn.example:3478'], ttlSeconds: 600 },
        stunUrls: ['stun:stun.example:3478'],
        iceTransportPolicy: 'relay',
      },
      '101',
      now,
    );
    expect(o.iceTransportPolicy).toBe('relay');
    expect(o.iceServers?.[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = o.iceServers?.[1];
    expect(turn?.username).toBe(`${now / 1000 + 600}:101`);
    expect(verifyTurnCredential('s3cret', turn!.username!, turn!.credential!, now)).toBe(true);
  });
});
