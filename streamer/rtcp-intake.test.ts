// What players send back over SRTCP: which compounds the streamer must act on (a table), the addon opening
// what werift's own SRTCP session sealed (and refusing what was tampered with), and two real werift peers:
// a PLI still reaches the sender at once, while receiver reports with REMB reach werift at most once per
// statistics period.
import { createCipheriv, randomBytes } from 'node:crypto';
import {
  GenericNack,
  MediaStreamTrack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  SrtcpSession,
  type RTCRtpSender,
} from 'werift';
import { describe, expect, it } from 'vitest';
import { installRtcpIntake, rtcpNeedsAction } from './rtcp-intake.js';
import { chooseSendPath } from './srtp-send.js';
import { connectWeriftPair } from './testing/werift-pair.js';

const addon = chooseSendPath('native').addon!;

const rr = () =>
  new RtcpRrPacket({
    ssrc: 1,
    reports: [
      new RtcpReceiverInfo({
        ssrc: 2,
        fractionLost: 0,
        packetsLost: 0,
        highestSequence: 9,
        jitter: 0,
        lsr: 0,
        dlsr: 0,
      }),
    ],
  }).serialize();
const sdes = () =>
  new RtcpSourceDescriptionPacket({
    chunks: [
      new SourceDescriptionChunk({
        source: 1,
        items: [new SourceDescriptionItem({ type: 1, text: 'cname' })],
      }),
    ],
  }).serialize();
const remb = (mediaSsrc = 2) =>
  new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc: 1,
      mediaSsrc: 0,
      brExp: 2,
      brMantissa: 1000,
      ssrcFeedbacks: [mediaSsrc],
    }),
  }).serialize();
const pli = (mediaSsrc = 2) =>
  new RtcpPayloadSpecificFeedback({
    feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc }),
  }).serialize();
const nack = () =>
  new RtcpTransportLayerFeedback({
    feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: 2, lost: [5] }),
  }).serialize();
const sr = () =>
  new RtcpSrPacket({
    ssrc: 1,
    senderInfo: new RtcpSenderInfo({ ntpTimestamp: 1n, rtpTimestamp: 0, packetCount: 1, octetCount: 1 }),
  }).serialize();

describe('rtcpNeedsAction', () => {
  it.each([
    ['a receiver report', [rr()], false],
    ['RR + SDES + REMB, what Chromium sends', [rr(), sdes(), remb()], false],
    ['RR + PLI', [rr(), pli()], true],
    ['RR + NACK', [rr(), nack()], true],
    ['a sender report (a camera in processing mode)', [sr(), sdes()], true],
    ['nothing', [], false],
  ])('%s', (_, packets, expected) => {
    expect(rtcpNeedsAction(Buffer.concat(packets))).toBe(expected);
  });

  it('a compound that cannot be walked is passed on', () => {
    const good = rr();
    expect(rtcpNeedsAction(good.subarray(0, good.length - 4))).toBe(true);
    expect(rtcpNeedsAction(Buffer.concat([good, Buffer.from([0x81])]))).toBe(true);
  });
});

/** werift's SRTCP session on the sending side, and the addon's receiver for the same keys. */
function sessions() {
  const keys = {
    localMasterKey: randomBytes(16),
    localMasterSalt: randomBytes(12),
    remoteMasterKey: randomBytes(16),
    remoteMasterSalt: randomBytes(12),
  };
  const sender = new SrtcpSession({ keys, profile: 0x0007 });
  const { cipher } = sender.localContext as unknown as {
    cipher: { srtcpSessionKey: Buffer; srtcpSessionSalt: Buffer };
  };
  // werift derives a 14-byte salt; AES-GCM uses its first 12 bytes (RFC 7714 §12).
  const srtcpSessionKey = cipher.srtcpSessionKey;
  const srtcpSessionSalt = cipher.srtcpSessionSalt.subarray(0, 12);
  return {
    sender,
    receiver: addon.rtcpReceiver(srtcpSessionKey, srtcpSessionSalt),
    srtcpSessionKey,
    srtcpSessionSalt,
  };
}

describe('openRtcp', () => {
  it("opens what werift's SRTCP session sealed, and refuses a changed or cut packet", () => {
    const { sender, receiver } = sessions();
    const compound = Buffer.concat([rr(), sdes(), remb()]);
    for (let i = 0; i < 3; i++) {
      const sealed = sender.encrypt(compound);
      expect(addon.openRtcp(receiver, sealed)?.equals(compound)).toBe(true);
      const changed = Buffer.from(sealed);
      changed[12]! ^= 1;
      expect(addon.openRtcp(receiver, changed)).toBeNull();
      expect(addon.openRtcp(receiver, sealed.subarray(0, 20))).toBeNull();
    }
  });

  it('opens an authenticated-only packet (E flag clear: RFC 7714 §9.2)', () => {
    const { receiver, srtcpSessionKey, srtcpSessionSalt } = sessions();
    const compound = rr();
    const index = Buffer.from([0, 0, 0, 7]); // E = 0, SRTCP index 7
    const iv = Buffer.alloc(12);
    compound.copy(iv, 2, 4, 8);
    index.copy(iv, 8);
    for (let i = 0; i < 12; i++) iv[i]! ^= srtcpSessionSalt[i]!;
    const gcm = createCipheriv('aes-128-gcm', srtcpSessionKey, iv);
    gcm.setAAD(Buffer.concat([compound, index]));
    gcm.final();
    const packet = Buffer.concat([compound, gcm.getAuthTag(), index]);
    expect(addon.openRtcp(receiver, packet)?.equals(compound)).toBe(true);
    packet[0]! ^= 0x01;
    expect(addon.openRtcp(receiver, packet)).toBeNull();
  });

  it('refuses bad calls with an error', () => {
    expect(() => addon.rtcpReceiver(Buffer.alloc(8), Buffer.alloc(12))).toThrow(TypeError);
    expect(() => addon.openRtcp({} as never, Buffer.alloc(40))).toThrow(TypeError);
  });
});

describe('installRtcpIntake on a real werift peer', () => {
  it('a PLI reaches the sender at once; RR + REMB reach werift once per statistics period', async () => {
    let sender: RTCRtpSender | undefined;
    let clock = 0;
    const pair = await connectWeriftPair(
      (offerer) => {
        sender = offerer.addTransceiver(new MediaStreamTrack({ kind: 'video' }), {
          direction: 'sendonly',
        }).sender;
      },
      (offerer) => {
        for (const t of offerer.dtlsTransports) installRtcpIntake(t, addon, 5_000, () => clock);
      },
    );
    try {
      const seen: string[] = [];
      pair.offerer.dtlsTransports[0]!.onRtcp.subscribe((p) => void seen.push(p.constructor.name));
      let plis = 0;
      sender!.onPictureLossIndication.subscribe(() => void plis++);
      const back = pair.answerer.dtlsTransports[0]!;
      const send = (packets: Buffer[]) =>
        back.sendRtcp(packets.map((b) => ({ serialize: () => b }) as never));
      const ssrc = sender!.ssrc;
      // Three report rounds inside one period: only the first reaches werift.
      for (let i = 0; i < 3; i++) await send([rr(), remb(ssrc)]);
      await send([pli(ssrc)]);
      await expect.poll(() => plis).toBe(1);
      expect(seen.filter((n) => n.includes('Rr')).length).toBe(1);
      // The next period lets one through again.
      clock += 5_000;
      await send([rr(), remb(ssrc)]);
      await expect.poll(() => seen.filter((n) => n.includes('Rr')).length).toBe(2);
      expect(sender!.receiverEstimatedMaxBitrate).toBeGreaterThan(0n);
    } finally {
      await pair.close();
    }
  });
});
