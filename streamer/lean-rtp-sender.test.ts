// The lean RTP send path: its extension template and NTP clock as tables, then two real werift peers over
// loopback — the receiver decrypts and checks what the lean path wrote (SRTP, header rewrite, payload),
// and the packet handed to the sender is left as it was, so players can share it.
import {
  MediaStreamTrack,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useSdesMid,
  useTransportWideCC,
  type RTCRtpSender,
} from 'werift';
import { describe, expect, it } from 'vitest';
import { extensionTemplate, installLeanSender, leanSendOf, ntpNow } from './lean-rtp-sender.js';
import { isRtpMedia } from './rtp-socket.js';
import { chooseSendPath } from './srtp-send.js';
import { connectWeriftPair } from './testing/werift-pair.js';

const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

describe('extensionTemplate', () => {
  it('no extensions: no block', () => {
    expect(extensionTemplate([], '0')).toEqual({ bytes: undefined, transportWideCC: -1, absSendTime: -1 });
  });

  it('MID, transport-wide sequence and abs-send-time, sorted by id, one-byte form, padded', () => {
    const t = extensionTemplate(
      [
        { uri: ABS, id: 3 },
        { uri: MID, id: 1 },
        { uri: TWCC, id: 2 },
      ],
      '0',
    )!;
    // 0xBEDE, 3 words; id 1 len 1 "0"; id 2 len 2 (seq); id 3 len 3 (time); 3 bytes padding.
    expect([...t.bytes!]).toEqual([0xbe, 0xde, 0, 3, 0x10, 0x30, 0x21, 0, 0, 0x32, 0, 0, 0, 0, 0, 0]);
    expect([t.transportWideCC, t.absSendTime]).toEqual([7, 10]);
    // werift parses it back to the same elements.
    const parsed = RtpHeader.deSerialize(
      Buffer.concat([Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), t.bytes!]),
    );
    expect(parsed.extensions.map((e) => [e.id, e.payload.length])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('an id the one-byte form cannot carry: not handled', () => {
    expect(extensionTemplate([{ uri: TWCC, id: 15 }], undefined)).toBeUndefined();
  });

  it('MID negotiated but the sender has none: left out', () => {
    expect(extensionTemplate([{ uri: MID, id: 1 }], undefined)?.bytes).toBeUndefined();
  });
});

describe('ntpNow', () => {
  it.each([
    [0, 2_208_988_800n << 32n],
    [1_500, (2_208_988_801n << 32n) | (1n << 31n)],
    [1_700_000_000_250, ((1_700_000_000n + 2_208_988_800n) << 32n) | (1n << 30n)],
  ])('%i ms since 1970', (ms, expected) => {
    expect(ntpNow(ms)).toBe(expected);
  });
});

// Both send paths: the native addon (built by `npm test`'s pretest) and the Node-cipher path.
const native = chooseSendPath('native').addon;

describe.each([
  ['native', native],
  ['js', undefined],
])('installLeanSender, %s send path', (_, addon) => {
  it("the receiver's SRTP session decrypts what it sends, and the packet handed to it is unchanged", async () => {
    const track = new MediaStreamTrack({ kind: 'video' });
    let sender: RTCRtpSender | undefined;
    const pair = await connectWeriftPair(
      (offerer) => {
        sender = offerer.addTransceiver(track, { direction: 'sendonly' }).sender;
      },
      undefined,
      { headerExtensions: { video: [useSdesMid(), useTransportWideCC(), useAbsSendTime()], audio: [] } },
    );
    try {
      const counts = installLeanSender(sender!, addon);
      // A plain UDP pair: werift's own ICE send path carries no media, the socket gets it directly.
      const connection = pair.offerer.dtlsTransports[0]!.iceTransport.connection;
      const weriftSend = connection.send.bind(connection);
      let throughWerift = 0;
      connection.send = (data: Buffer) => {
        if (isRtpMedia(data)) throughWerift++;
        return weriftSend(data);
      };
      // What arrives over UDP at the answerer, decrypted with its keys.
      const wire: Buffer[] = [];
      pair.answerer.dtlsTransports[0]!.iceTransport.connection.onData.subscribe((data: Buffer) => {
        if (isRtpMedia(data)) wire.push(data);
      });
      const { codec, mid } = sender as unknown as { codec: RTCRtpCodecParameters; mid: string };
      const sent: RtpPacket[] = [];
      for (let i = 0; i < 40; i++) {
        const header = new RtpHeader({
          sequenceNumber: (65_520 + i) & 0xffff,
          timestamp: 3_000 * Math.floor(i / 4),
          marker: i % 4 === 3,
          payloadType: codec.payloadType,
          ssrc: 42,
        });
        sent.push(new RtpPacket(header, Buffer.alloc(100 + i * 25, i)));
      }
      const before = sent.map((p) => p.serialize());
      // Half through werift's track event, half straight to the lean send as the fan-out does.
      const direct = leanSendOf(track)!;
      sent.forEach((p, i) => (i % 2 === 0 ? track.writeRtp(p) : direct(p)));
      expect(counts).toEqual({ lean: sent.length, native: addon ? sent.length : 0, fallback: 0 });
      await expect.poll(() => wire.length).toBe(sent.length);
      expect(throughWerift).toBe(0);
      await expect.poll(() => pair.answerer.connectionState).toBe('connected');
      const srtp = pair.answerer.dtlsTransports[0]!.srtp;
      const received = wire.map((w) => RtpPacket.deSerialize(srtp.decrypt(w)));
      const { ssrc, sequenceNumber: seq0 } = received[0]!.header;
      received.forEach((r, i) => {
        const p = sent[i]!;
        expect(r.payload.equals(p.payload)).toBe(true);
        expect(r.header.marker).toBe(p.header.marker);
        expect(r.header.payloadType).toBe(codec.payloadType);
        expect(r.header.ssrc).toBe(ssrc);
        // Numbering continues across the 16-bit wrap; timestamps keep their distance.
        expect(r.header.sequenceNumber).toBe((seq0 + i) & 0xffff);
        expect((r.header.timestamp - received[0]!.header.timestamp) >>> 0).toBe(p.header.timestamp);
        // MID, then a transport-wide sequence number that counts every packet.
        expect(r.header.extensions[0]!.payload.toString()).toBe(mid);
        expect(r.header.extensions[1]!.payload.readUInt16BE(0)).toBe(
          (received[0]!.header.extensions[1]!.payload.readUInt16BE(0) + i) & 0xffff,
        );
      });
      // The sender wrote its own header into its own buffer: the shared packet is as it was.
      expect(sent.map((p) => p.serialize())).toEqual(before);
    } finally {
      await pair.close();
    }
  });
});
