// What counts as an early DTLS record (RFC 7983's first-byte ranges), and that records which arrive
// before werift listens reach its DTLS socket: two real werift peers connect with it in place.
import { describe, expect, it } from 'vitest';
import { isDtlsRecord, keepEarlyDtls } from './early-dtls.js';
import { connectWeriftPair } from './testing/werift-pair.js';

describe('isDtlsRecord', () => {
  it.each([
    [20, true], // change_cipher_spec
    [22, true], // handshake
    [63, true],
    [0, false], // STUN
    [3, false], // STUN
    [64, false], // TURN channel
    [128, false], // RTP/RTCP
    [191, false],
  ])('first byte %i → %s', (first, expected) => {
    expect(isDtlsRecord(Buffer.from([first, 0, 0]))).toBe(expected);
  });

  it('an empty datagram is not a record', () => {
    expect(isDtlsRecord(Buffer.alloc(0))).toBe(false);
  });
});

describe('keepEarlyDtls', () => {
  it('two werift peers still connect with it installed on the offerer', async () => {
    const pair = await connectWeriftPair(
      (offerer) => void offerer.createDataChannel('datachannel'),
      (offerer) => keepEarlyDtls(offerer),
    );
    try {
      expect(pair.offerer.dtlsTransports.map((t) => t.state)).toEqual(['connected']);
    } finally {
      await pair.close();
    }
  });
});
