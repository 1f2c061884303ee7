// What counts as an early DTLS record (RFC 7983's first-byte ranges), and that records which arrive
// before werift listens reach its DTLS socket: two real werift peers connect with it in place.
import { RTCPeerConnection } from 'werift';
import { describe, expect, it } from 'vitest';
import { isDtlsRecord, keepEarlyDtls } from './early-dtls.js';
import { onlyConfiguredStun } from './peer-config.js';

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
    const config = { iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false };
    const offerer = new RTCPeerConnection(config);
    const answerer = new RTCPeerConnection(config);
    try {
      offerer.createDataChannel('datachannel');
      const offer = await offerer.createOffer();
      onlyConfiguredStun(offerer);
      keepEarlyDtls(offerer);
      await offerer.setLocalDescription(offer);
      await answerer.setRemoteDescription(offerer.localDescription!);
      onlyConfiguredStun(answerer);
      await answerer.setLocalDescription(await answerer.createAnswer());
      await offerer.setRemoteDescription(answerer.localDescription!);
      await expect.poll(() => offerer.connectionState, { timeout: 10_000 }).toBe('connected');
      expect(offerer.dtlsTransports.map((t) => t.state)).toEqual(['connected']);
    } finally {
      await Promise.all([offerer.close(), answerer.close()]);
    }
  });
});
