import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { headerCopy } from './rtp-copies.js';

const original = new RtpPacket(
  new RtpHeader({
    marker: true,
    payloadType: 96,
    sequenceNumber: 65_535,
    timestamp: 4_000_000_000,
    ssrc: 0x1234_5678,
    extension: true,
    extensions: [{ id: 1, payload: Buffer.from([0xaa]) }],
  }),
  Buffer.from('vp8 payload bytes'),
).serialize();

describe('headerCopy', () => {
  it('gives packets that serialize back to the original bytes', () => {
    const parsed = RtpPacket.deSerialize(original);
    expect(headerCopy(parsed).serialize()).toEqual(original);
    expect(headerCopy(parsed).serialize()).toEqual(original);
  });

  it('gives each caller a header of its own, over the same payload', () => {
    const parsed = RtpPacket.deSerialize(original);
    const a = headerCopy(parsed);
    const b = headerCopy(parsed);
    a.header.ssrc = 1;
    a.header.sequenceNumber = 7;
    a.header.payloadType = 100;
    a.header.extensions[0]!.id = 3;
    a.header.extensions.push({ id: 5, payload: Buffer.from([1]) });
    expect(b.serialize()).toEqual(original);
    expect(parsed.serialize()).toEqual(original);
    expect(b.payload).toBe(a.payload);
  });
});
