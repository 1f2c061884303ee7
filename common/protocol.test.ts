import { describe, expect, it } from 'vitest';
import { build, encode, normalisePlayerId, parseMessage } from './protocol.js';

describe('parseMessage', () => {
  // Each code with the inputs that must get it.
  const refused = {
    not_json: ['not json'],
    not_object: ['[1,2]', 'null'],
    no_type: ['{"x":1}', '{"type":""}'],
    bad_field: [
      '{"type":"subscribe","streamerId":5}',
      '{"type":"offer"}',
      '{"type":"ping","time":"x"}',
      '{"type":"streamerList","ids":[1]}',
    ],
  };
  it.each(Object.entries(refused).flatMap(([code, texts]) => texts.map((text) => [text, code])))(
    'rejects %s as %s',
    (text, code) => {
      const r = parseMessage(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe(code);
    },
  );

  it('keeps undeclared fields and decodes binary frames', () => {
    const r = parseMessage(Buffer.from('{"type":"answer","sdp":"v=0","minBitrateBps":1}'));
    expect(r).toEqual({ ok: true, message: { type: 'answer', sdp: 'v=0', minBitrateBps: 1 } });
  });

  it('returns unknown types as such', () => {
    const r = parseMessage('{"type":"somethingNew","a":1}');
    expect(r).toEqual({
      ok: true,
      message: { type: 'somethingNew', unknown: true, raw: { type: 'somethingNew', a: 1 } },
    });
  });

  it('enforces a size cap', () => {
    const r = parseMessage(`{"type":"offer","sdp":"${'x'.repeat(100)}"}`, 50);
    expect(r.ok).toBe(false);
  });

  it('accepts numeric player ids from legacy streamers', () => {
    expect(parseMessage('{"type":"disconnectPlayer","playerId":101}').ok).toBe(true);
    expect(normalisePlayerId(101)).toBe('101');
    expect(normalisePlayerId('')).toBeUndefined();
  });
});

describe('processingEvent', () => {
  it('carries a result or an end for one player, and is refused without a known kind or object data', () => {
    const m = build.processingEvent('101', 'result', { label: 'face' });
    expect(parseMessage(JSON.stringify(m))).toEqual({ ok: true, message: m });
    for (const bad of [
      { ...m, kind: 'other' },
      { ...m, data: [1] },
      { ...m, data: 'x' },
    ])
      expect(parseMessage(JSON.stringify(bad))).toMatchObject({ ok: false, code: 'bad_field' });
  });
});

describe('build', () => {
  it('emits exactly the fields of the protocol', () => {
    expect(JSON.parse(encode(build.config({ iceServers: [] })))).toEqual({
      type: 'config',
      peerConnectionOptions: { iceServers: [] },
      protocolVersion: '1.3.0',
    });
    expect(build.playerConnected('101')).toEqual({
      type: 'playerConnected',
      playerId: '101',
      dataChannel: true,
      sfu: false,
    });
    expect(build.offer('sdp')).toEqual({ type: 'offer', sdp: 'sdp' });
    expect(Object.keys(build.iceCandidate({ candidate: 'c' }, '101'))).toEqual([
      'type',
      'candidate',
      'playerId',
    ]);
  });
});
