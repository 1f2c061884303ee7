// The native send path over real UDP sockets: what it seals decrypts with Node's own AES-GCM under the
// RFC 7714 IV, a frame's packets leave in one send (UDP GSO) and arrive as separate datagrams in order,
// batches split where GSO cannot carry them, and bad calls throw instead of crashing the process.
import { createDecipheriv, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADDON_CANDIDATES,
  chooseSendPath,
  socketFd,
  type SrtpChannel,
  type SrtpSendAddon,
} from './srtp-send.js';

const found = chooseSendPath('native');
const addon: SrtpSendAddon = found.addon!;
const SSRC = 0x1122_3344;

function header(seq: number, marker = false): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | 96;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(90_000, 4);
  h.writeUInt32BE(SSRC, 8);
  return h;
}

/** RFC 7714 §8.1: IV = salt XOR (0x0000 | SSRC | ROC | SEQ); the header is the associated data. */
function open(packet: Buffer, key: Buffer, salt: Buffer, roc: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(packet.readUInt32BE(8), 2);
  iv.writeUInt32BE(roc, 6);
  iv.writeUInt16BE(packet.readUInt16BE(2), 10);
  for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
  const d = createDecipheriv('aes-128-gcm', key, iv);
  d.setAAD(packet.subarray(0, 12));
  d.setAuthTag(packet.subarray(packet.length - 16));
  return Buffer.concat([d.update(packet.subarray(12, packet.length - 16)), d.final()]);
}

/** The addon's counters of a channel, by name. */
function statsOf(channel: SrtpChannel) {
  const [sent, dropped, sends, errors, errno, gso] = addon.stats(channel);
  return { sent, dropped, sends, errors, errno, gso };
}

const sockets: dgram.Socket[] = [];
async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}
const fdOf = (s: dgram.Socket): number => {
  const fd = socketFd(s);
  if (fd === undefined) throw new Error('a bound socket has a descriptor');
  return fd;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function channelPair(gso = true, turnChannel = 0) {
  const [tx, rx] = [await bound(), await bound()];
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const channel = addon.open(fdOf(tx), 4, '127.0.0.1', rx.address().port, key, salt, gso, turnChannel);
  const received: Buffer[] = [];
  rx.on('message', (m) => received.push(m));
  return { tx, rx, key, salt, channel, received };
}

describe('srtp-send addon', () => {
  it('was found and loads', () => {
    expect(found.path, JSON.stringify(ADDON_CANDIDATES)).toBe('native');
  });

  it("seals a frame that decrypts with Node's AES-GCM, sent in one GSO send as separate datagrams in order", async () => {
    const { key, salt, channel, received } = await channelPair();
    const payloads = Array.from({ length: 9 }, (_, i) => randomBytes(i === 8 ? 333 : 1172));
    const sizes = payloads.map((p, i) => addon.seal(channel, header(65_530 + i, i === 8), p, 7));
    expect(sizes).toEqual([...Array.from({ length: 8 }, () => 12 + 1172 + 16), 12 + 333 + 16]);
    expect(received).toEqual([]);
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(9);
    received.forEach((packet, i) => {
      expect(packet.subarray(0, 12).equals(header(65_530 + i, i === 8))).toBe(true);
      expect(open(packet, key, salt, 7).equals(payloads[i]!)).toBe(true);
    });
    expect(statsOf(channel)).toMatchObject({ sent: 9, dropped: 0, sends: 1, errors: 0, gso: 1 });
  });

  it('without GSO (a kernel that refuses it), one sendmmsg carries the batch as the same datagrams', async () => {
    const { key, salt, channel, received } = await channelPair(false);
    const payloads = Array.from({ length: 5 }, (_, i) => randomBytes(i === 4 ? 90 : 700));
    payloads.forEach((p, i) => addon.seal(channel, header(i, i === 4), p, 0));
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(5);
    received.forEach((packet, i) => expect(open(packet, key, salt, 0).equals(payloads[i]!)).toBe(true));
    expect(statsOf(channel)).toMatchObject({ sent: 5, dropped: 0, sends: 1, errors: 0, gso: 0 });
  });

  it('on a TURN channel, each packet is ChannelData (number, length) around the sealed packet', async () => {
    const { key, salt, channel, received } = await channelPair(true, 0x4001);
    const payloads = [randomBytes(1000), randomBytes(1000), randomBytes(41)];
    const sizes = payloads.map((p, i) => addon.seal(channel, header(i, i === 2), p, 0));
    expect(sizes).toEqual(payloads.map((p) => 4 + 12 + p.length + 16));
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(3);
    received.forEach((datagram, i) => {
      expect(datagram.readUInt16BE(0)).toBe(0x4001);
      expect(datagram.readUInt16BE(2)).toBe(datagram.length - 4);
      expect(open(datagram.subarray(4), key, salt, 0).equals(payloads[i]!)).toBe(true);
    });
    expect(statsOf(channel)).toMatchObject({ sent: 3, sends: 1, gso: 1 });
  });

  it('starts a new send where a packet would not fit the batch (larger than the first, or after a short one)', async () => {
    const { key, salt, channel, received } = await channelPair();
    const lengths = [500, 500, 900, 100, 100, 300];
    const payloads = lengths.map((n) => randomBytes(n));
    payloads.forEach((p, i) => addon.seal(channel, header(i), p, 0));
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(lengths.length);
    expect(received.map((p) => open(p, key, salt, 0).length)).toEqual(lengths);
    // [500, 500] | [900, 100] | [100] | [300]... each batch: packets the first one's size, the last no larger.
    expect(statsOf(channel).sends).toBe(4);
  });

  it('flushes a full batch by itself: 64 packets a send at most', async () => {
    const { channel, received } = await channelPair();
    for (let i = 0; i < 100; i++) addon.seal(channel, header(i), Buffer.alloc(200, i), 0);
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(100);
    expect(received.map((p) => p.readUInt16BE(2))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(statsOf(channel).sends).toBe(2);
  });

  it('refuses bad calls with an error, and the channel keeps working', async () => {
    const { tx, channel, received } = await channelPair();
    const key = randomBytes(16);
    expect(() => addon.open(fdOf(tx), 4, 'not an address', 5000, key, randomBytes(12))).toThrow(
      /bad address/,
    );
    expect(() => addon.open(fdOf(tx), 4, '127.0.0.1', 5000, key.subarray(0, 8), randomBytes(12))).toThrow(
      TypeError,
    );
    expect(() => addon.open(-1, 4, '127.0.0.1', 5000, key, randomBytes(12))).toThrow(TypeError);
    expect(() => addon.open(fdOf(tx), 4, '127.0.0.1', 5000, key, randomBytes(12), true, 0x3fff)).toThrow(
      TypeError,
    );
    expect(() => addon.open(fdOf(tx), 4, '127.0.0.1', 5000, key, randomBytes(12), 'yes' as never)).toThrow(
      TypeError,
    );
    expect(() => addon.seal({} as never, header(0), Buffer.alloc(1), 0)).toThrow(TypeError);
    expect(() => addon.seal(channel, Buffer.alloc(4), Buffer.alloc(1), 0)).toThrow(RangeError);
    expect(() => addon.seal(channel, header(0), Buffer.alloc(1500), 0)).toThrow(RangeError);
    expect(() => addon.seal(channel, header(0), 'text' as never, 0)).toThrow(TypeError);
    addon.seal(channel, header(1, true), Buffer.alloc(10), 0);
    addon.flush(channel);
    await expect.poll(() => received.length).toBe(1);
  });

  it('counts a send the kernel refuses as dropped, without throwing', async () => {
    const { tx, rx, key, salt } = await channelPair();
    // A closed descriptor: every send fails (EBADF).
    const fd = fdOf(tx);
    const channel = addon.open(fd, 4, '127.0.0.1', rx.address().port, key, salt);
    tx.close();
    sockets.splice(sockets.indexOf(tx), 1);
    addon.seal(channel, header(0), Buffer.alloc(100), 0);
    addon.seal(channel, header(1), Buffer.alloc(100), 0);
    addon.flush(channel);
    expect(statsOf(channel)).toMatchObject({ sent: 0, dropped: 2, errors: 1, errno: 9 });
  });
});

describe('chooseSendPath', () => {
  it('js never loads the addon', () => {
    expect(chooseSendPath('js')).toEqual({ addon: undefined, path: 'js', why: 'FANOUT_SEND=js' });
  });

  it('auto without the addon says where it looked; native throws the same', () => {
    const missing = '/nonexistent/srtp-send.node';
    const auto = chooseSendPath('auto', [missing]);
    expect(auto.path).toBe('js');
    expect(auto.path === 'js' && auto.why).toContain(missing);
    expect(() => chooseSendPath('native', [missing])).toThrow(/FANOUT_SEND=native: no srtp-send.node/);
  });

  it('a file that is not the addon is reported, not thrown, under auto', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'srtp-send-'));
    try {
      const junk = path.join(dir, 'srtp-send.node');
      writeFileSync(junk, 'not a shared object');
      const junkPath = chooseSendPath('auto', [junk]);
      expect(junkPath.path === 'js' && junkPath.why).toContain(`${junk} did not load`);
      const other = path.join(dir, 'other.cjs');
      writeFileSync(other, 'module.exports = { open() {} };');
      expect(chooseSendPath('auto', [other])).toMatchObject({
        path: 'js',
        why: `${other} is not the srtp-send addon (no seal, flush, stats, rtcpReceiver, openRtcp)`,
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
