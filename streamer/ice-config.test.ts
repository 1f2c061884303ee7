import { describe, expect, it } from 'vitest';
import { readIceConfig } from './ice-config.js';

describe('readIceConfig', () => {
  it('keeps a well-formed config as it is, without problems', () => {
    const raw = {
      iceServers: [
        { urls: 'stun:stun.example:3478' },
        {
          urls: ['turn:t.example:3478?transport=udp', 'turns:t.example:5349'],
          username: 'u',
          credential: 'c',
        },
      ],
      iceTransportPolicy: 'relay',
    };
    expect(readIceConfig(raw)).toEqual({ options: raw, problems: [] });
    expect(readIceConfig({})).toEqual({
      options: { iceServers: [], iceTransportPolicy: 'all' },
      problems: [],
    });
  });

  it.each([
    [{ iceServers: 'stun:x' }, [], /iceServers is not an array/],
    [{ iceServers: [null, 7, []] }, [], /iceServers\[0\] is not an object[\s\S]*\[1\][\s\S]*\[2\]/],
    [{ iceServers: [{ urls: 5 }, { urls: [] }, {}] }, [], /\[0\]\.urls has no URL string/],
    [{ iceServers: [{ urls: ['stun:a:1', 7, ''] }] }, [{ urls: ['stun:a:1'] }], /2 non-string URL/],
    [{ iceServers: [{ urls: 'turn:a:1', username: 5, credential: 'c' }] }, [], /username is not a string/],
    [{ iceServers: [{ urls: 'turn:a:1', credential: {} }] }, [], /credential is not a string/],
  ])('drops the malformed parts of %j', (raw, kept, problem) => {
    const r = readIceConfig(raw);
    expect(r.options.iceServers).toEqual(kept);
    expect(r.problems.join('\n')).toMatch(problem);
  });

  it('falls back to "all" for an unknown transport policy, and reads non-objects as empty', () => {
    const r = readIceConfig({ iceTransportPolicy: 'none' });
    expect(r.options.iceTransportPolicy).toBe('all');
    expect(r.problems).toEqual(['iceTransportPolicy "none" is neither "all" nor "relay": using "all"']);
    expect(readIceConfig(null).options).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });
});
