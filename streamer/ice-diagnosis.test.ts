import { describe, expect, it } from 'vitest';
import { candidateType, iceFailureHint, type IceSeen } from './ice-diagnosis.js';

const seen = (over: Partial<IceSeen>): IceSeen => ({
  turnConfigured: false,
  relayOnly: false,
  local: { host: 2 },
  remote: 3,
  ...over,
});

describe('candidateType', () => {
  it('reads the typ of a candidate line', () => {
    expect(candidateType('candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host')).toBe('host');
    expect(
      candidateType('candidate:3 1 udp 16777215 198.51.100.7 49152 typ relay raddr 0.0.0.0 rport 0'),
    ).toBe('relay');
    expect(
      candidateType('candidate:2 1 udp 1694498815 203.0.113.9 50001 typ srflx raddr 192.0.2.1 rport 50000'),
    ).toBe('srflx');
    expect(candidateType('candidate:9 1 udp 1 192.0.2.1 1 typ hostile')).toBeUndefined();
    expect(candidateType('')).toBeUndefined();
  });
});

describe('iceFailureHint', () => {
  it('blames TURN credentials when TURN is configured and no relay was allocated', () => {
    expect(iceFailureHint(seen({ turnConfigured: true }))).toMatch(/TURN_SECRET/);
  });
  it('names a relay-only policy without a TURN server', () => {
    expect(iceFailureHint(seen({ relayOnly: true, local: {} }))).toMatch(
      /relay-only ICE policy but no TURN server/,
    );
  });
  it('names a browser that sent no candidates', () => {
    expect(iceFailureHint(seen({ remote: 0 }))).toMatch(/browser sent no ICE candidates/);
  });
  it('points at the browser side of TURN when both sides had candidates and relays', () => {
    expect(iceFailureHint(seen({ turnConfigured: true, local: { host: 1, relay: 1 } }))).toMatch(
      /browser's side of TURN/,
    );
  });
  it('suggests TURN when there is none', () => {
    expect(iceFailureHint(seen({}))).toMatch(/need TURN/);
  });
});
