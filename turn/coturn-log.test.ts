// Which coturn log lines are failures, and why (a credential that expired or does not match the secret).
import { describe, expect, it } from 'vitest';
import { classifyCoturnLine } from './coturn-log.js';

const NOW = 1_800_000_000;

describe('classifyCoturnLine', () => {
  it.each([
    [
      'the anonymous 401 challenge is routine',
      '12: (345): session 001: realm <r> user <>: incoming packet message processed, error 401: Unauthorized',
      'debug',
      undefined,
    ],
    [
      'a successful request is routine',
      'session 001: realm <r> user <1800000100:p>: incoming packet ALLOCATE processed, success',
      'debug',
      undefined,
    ],
    [
      'a stale nonce is routine',
      'session 001: realm <r> user <1800000100:p>: incoming packet ALLOCATE processed, error 438: Stale nonce',
      'debug',
      undefined,
    ],
    [
      'a wrong credential',
      'session 001: realm <r> user <1800000100:player-101>: incoming packet message processed, error 401: Unauthorized',
      'warn',
      'TURN_AUTH_REJECTED',
    ],
    [
      'an expired credential',
      'session 001: realm <r> user <1799999000:player-101>: incoming packet message processed, error 401: Unauthorized',
      'warn',
      'TURN_AUTH_REJECTED',
    ],
    [
      'a refused peer',
      'ERROR: A peer IP 10.96.0.10 denied in the range: 10.96.0.0-10.111.255.255',
      'warn',
      'TURN_PEER_REFUSED',
    ],
    [
      'the 403 that follows a refused peer',
      'session 001: realm <r> user <1800000100:p>: incoming packet CREATE_PERMISSION processed, error 403: Forbidden IP',
      'debug',
      undefined,
    ],
    [
      'a quota refusal',
      'session 001: realm <r> user <1800000100:p>: incoming packet ALLOCATE processed, error 486: Allocation Quota Reached',
      'warn',
      'TURN_REQUEST_FAILED',
    ],
    [
      'a closed session',
      'session 001: closed (2nd stage), user <1800000100:p> realm <r> origin <>, local 192.0.2.1:3478, remote 192.0.2.1:5000, reason: allocation timeout',
      'info',
      undefined,
    ],
    [
      "coturn's own line for a refused credential (the 401 line is the coded warning)",
      '0: : ERROR: check_stun_auth: Cannot find credentials of user <1800000100:player-101>',
      'debug',
      undefined,
    ],
    ['session chatter', 'session 001: peer 10.244.1.5 lifetime updated: 300', 'debug', undefined],
    [
      'a start-up error',
      '0: : ERROR: Cannot bind local socket to addr: Address already in use',
      'error',
      undefined,
    ],
    ['start-up information', '0: : Relay address to use: 192.0.2.1', 'info', undefined],
  ])('%s', (_name, line, level, code) => {
    const e = classifyCoturnLine(line, NOW);
    expect(e?.level).toBe(level);
    expect(e?.code).toBe(code);
  });

  it('says whether a rejected credential expired or does not match the secret', () => {
    const line = (user: string) =>
      `session 1: realm <r> user <${user}>: incoming packet message processed, error 401: Unauthorized`;
    expect(classifyCoturnLine(line('1799999000:p'), NOW)?.fields).toMatchObject({
      user: '1799999000:p',
      reason: 'credential expired',
      cause: 'expired',
    });
    expect(classifyCoturnLine(line('1800000100:p'), NOW)?.fields.cause).toBe('mismatch');
    expect(classifyCoturnLine(line('1800000100:p'), NOW)?.fields.reason).toMatch(
      /does not match TURN_SECRET/,
    );
    expect(classifyCoturnLine(line('alice'), NOW)?.fields.reason).toMatch(/does not match TURN_SECRET/);
  });

  it('strips the prefix and skips blank lines', () => {
    expect(classifyCoturnLine('0: : ', NOW)).toBeUndefined();
    expect(classifyCoturnLine('3: (99): Total General servers: 2', NOW)?.text).toBe(
      'Total General servers: 2',
    );
    expect(
      classifyCoturnLine(
        'ERROR: A peer IP 169.254.169.254 denied in the range: 169.254.0.0-169.254.255.255',
        NOW,
      )?.fields,
    ).toEqual({
      peer: '169.254.169.254',
      range: '169.254.0.0-169.254.255.255',
    });
  });
});
