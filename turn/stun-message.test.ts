// The STUN message codec: known messages both ways, and 2000 random hostile datagrams (fast-check) that
// must be refused cleanly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as stun from './stun-message.js';
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';

describe('STUN codec', () => {
  it('encodes a Binding request with the RFC 5389 header and a valid FINGERPRINT', () => {
    const tid = Buffer.from('0102030405060708090a0b0c', 'hex');
    const bytes = stun.encodeStun(
      { method: stun.Method.Binding, cls: stun.Class.Request, transactionId: tid, attributes: [] },
      { fingerprint: true },
    );
    expect(bytes.subarray(0, 8).toString('hex')).toBe('000100082112a442');
    expect(bytes.subarray(8, 20)).toEqual(tid);
    expect(bytes.readUInt16BE(20)).toBe(stun.Attr.Fingerprint);
    const crc = (crc32(bytes.subarray(0, 20)) ^ 0x5354554e) >>> 0;
    expect(bytes.readUInt32BE(24)).toBe(crc);
  });

  it.each([
    ['Allocate error', stun.Method.Allocate, stun.Class.Error, 0x0113],
    ['Data indication', stun.Method.Data, stun.Class.Indication, 0x0017],
  ])('maps method and class to the interleaved message type (%s = %i)', (_name, method, cls, type) => {
    const bytes = stun.encodeStun({ method, cls, transactionId: stun.newTransactionId(), attributes: [] });
    expect(bytes.readUInt16BE(0)).toBe(type);
    expect(stun.decodeStun(bytes)).toMatchObject({ method, cls });
  });

  it('round-trips attributes with padding and computes MESSAGE-INTEGRITY over the right length', () => {
    const tid = stun.newTransactionId();
    const key = stun.longTermKey('1700000000:p1', 'realm', 'pw');
    const bytes = stun.encodeStun(
      {
        method: stun.Method.Allocate,
        cls: stun.Class.Request,
        transactionId: tid,
        attributes: [{ type: stun.Attr.Username, value: Buffer.from('abcde') }],
      },
      { integrityKey: key, fingerprint: true },
    );
    const msg = stun.decodeStun(bytes);
    expect(stun.getAttr(msg, stun.Attr.Username)?.toString()).toBe('abcde');
    // MESSAGE-INTEGRITY starts after the padded USERNAME (4 + 8 bytes); the HMAC covers everything before
    // it with the header length rewritten to end just after MESSAGE-INTEGRITY.
    const miOffset = 20 + 12;
    const covered = Buffer.from(bytes.subarray(0, miOffset));
    covered.writeUInt16BE(miOffset - 20 + 24, 2);
    expect(stun.getAttr(msg, stun.Attr.MessageIntegrity)).toEqual(
      createHmac('sha1', key).update(covered).digest(),
    );
  });

  it('XOR-encodes IPv4 and IPv6 addresses both ways', () => {
    const tid = stun.newTransactionId();
    for (const addr of [
      { address: '192.0.2.1', port: 32853 },
      { address: '2001:db8::1', port: 3478 },
      { address: '::', port: 1 },
    ]) {
      expect(stun.decodeXorAddress(stun.encodeXorAddress(addr, tid), tid)).toMatchObject(addr);
    }
    // RFC 5389: the port is XOR-ed with the cookie's top 16 bits (0x2112).
    expect(stun.encodeXorAddress({ address: '0.0.0.0', port: 0x2112 }, tid).readUInt16BE(2)).toBe(0);
  });

  it('reads XOR-MAPPED-ADDRESS from a Binding success', () => {
    const tid = stun.newTransactionId();
    const msg = stun.decodeStun(
      stun.encodeStun({
        method: stun.Method.Binding,
        cls: stun.Class.Success,
        transactionId: tid,
        attributes: [
          {
            type: stun.Attr.XorMappedAddress,
            value: stun.encodeXorAddress({ address: '198.51.100.7', port: 40000 }, tid),
          },
        ],
      }),
    );
    expect(stun.mappedAddress(msg)).toEqual({ address: '198.51.100.7', port: 40000, family: 4 });
  });

  it('decodes ERROR-CODE class and number', () => {
    expect(stun.decodeErrorCode(Buffer.from([0, 0, 4, 3, ...Buffer.from('Forbidden IP')]))).toEqual({
      code: 403,
      reason: 'Forbidden IP',
    });
  });

  it.each([
    ['too short', Buffer.alloc(10), 'STUN_TOO_SHORT'],
    ['no cookie', Buffer.alloc(20), 'STUN_NOT_STUN'],
    ['RTP-looking', Buffer.from('80' + '00'.repeat(19), 'hex'), 'STUN_NOT_STUN'],
  ])('rejects %s with a coded error', (_name, buf, code) => {
    expect(() => stun.decodeStun(buf)).toThrow(expect.objectContaining({ code }) as Error);
  });

  it('rejects a declared length that disagrees with the datagram, and an attribute overrun', () => {
    const ok = stun.encodeStun({
      method: stun.Method.Binding,
      cls: stun.Class.Request,
      transactionId: stun.newTransactionId(),
      attributes: [{ type: 0x8022, value: Buffer.from('abcd') }],
    });
    expect(() => stun.decodeStun(ok.subarray(0, ok.length - 4))).toThrow(
      expect.objectContaining({ code: 'STUN_BAD_LENGTH' }) as Error,
    );
    const overrun = Buffer.from(ok);
    overrun.writeUInt16BE(200, 22);
    expect(() => stun.decodeStun(overrun)).toThrow(
      expect.objectContaining({ code: 'STUN_BAD_ATTRIBUTE' }) as Error,
    );
  });

  it('never throws anything but StunParseError on arbitrary bytes (hostile datagrams)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, cookie) => {
        const buf = Buffer.from(bytes);
        if (cookie && buf.length >= 8) {
          buf[0] = buf[0]! & 0x3f;
          buf.writeUInt32BE(0x2112a442, 4);
        }
        try {
          const msg = stun.decodeStun(buf);
          expect(stun.isStun(buf)).toBe(true);
          for (const a of msg.attributes) {
            if (a.type === stun.Attr.XorMappedAddress) stun.decodeXorAddress(a.value, msg.transactionId);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(stun.StunParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
