// The pure parts of processing mode: function specs, the guard's stall/flood verdicts, frame and line
// splitting, VP8 depacketising, IVF framing, the ffmpeg command lines and the answer's sending sections.
import { describe, expect, it } from 'vitest';
import { sendingSections } from '../answer-check.js';
import { parseSourceSpec } from '../source-spec.js';
import { FunctionGuard } from './function-guard.js';
import { formatFunctionSpec, parseFunctionSpec } from './function-spec.js';
import { ivfFileHeader, ivfFrame } from './ivf.js';
import {
  decoderArgs,
  encoderPipelineArgs,
  filterPipelineArgs,
  frameBytes,
  type PipelineSettings,
} from './pipeline-args.js';
import { FrameSplitter, LineSplitter } from './stream-splitters.js';
import { TEST_ENCODE_SETTINGS } from '../testing/encode-settings.js';
import { vp8Descriptor, Vp8Depacketizer } from './vp8-depacketizer.js';

describe('function specs', () => {
  it.each([
    ['record', { kind: 'record' }],
    ['filter:negate', { kind: 'filter', graph: 'negate' }],
    ['filter:hflip,edgedetect', { kind: 'filter', graph: 'hflip,edgedetect' }],
    ['exec:python3 f.py --x 1', { kind: 'exec', command: 'python3 f.py --x 1' }],
  ])('%s', (text, fn) => {
    expect(parseFunctionSpec(text)).toEqual({ ok: true, fn });
    expect(formatFunctionSpec(fn as never)).toBe(text);
    expect(parseSourceSpec(`process:${text}`)).toEqual({ ok: true, spec: { kind: 'process', fn } });
  });

  it.each([
    ['', /needs filter:/],
    ['negate', /needs filter:/],
    ['filter:', /needs a filter graph/],
    ['filter:[in]negate[out]', /simple graph/],
    ['filter:negate;hflip', /simple graph/],
    ['exec: ', /needs a command/],
    ['shell:ls', /needs filter:/],
  ])('refuses %j', (text, reason) => {
    const r = parseFunctionSpec(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('function guard', () => {
  const limits = { stallMs: 1000, maxExtraFrames: 2, maxEventsPerSecond: 3 };

  it('a stall is input waiting without output for stallMs', () => {
    const g = new FunctionGuard(limits);
    expect(g.check(0)).toBeUndefined(); // nothing in yet: nothing to wait for
    g.frameIn(100);
    g.frameIn(600);
    expect(g.check(1099)).toBeUndefined();
    expect(g.check(1100)?.code).toBe('FUNCTION_STALLED');
    g.frameOut();
    expect(g.check(5000)).toBeUndefined();
  });

  it('a flood is more frames out than in beyond the allowance', () => {
    const g = new FunctionGuard(limits);
    g.frameIn(0);
    expect([g.frameOut(), g.frameOut(), g.frameOut()]).toEqual([undefined, undefined, undefined]);
    expect(g.frameOut()).toMatchObject({
      code: 'FUNCTION_FLOOD',
      reason: '4 frames out for 1 in (at most 2 more out than in)',
    });
  });

  it('events beyond the rate are a flood; the allowance refills with time', () => {
    const g = new FunctionGuard(limits);
    expect([g.event(0), g.event(0), g.event(0)]).toEqual([undefined, undefined, undefined]);
    expect(g.event(0)?.code).toBe('FUNCTION_FLOOD');
    const h = new FunctionGuard(limits);
    for (let t = 0; t < 10_000; t += 334) expect(h.event(t)).toBeUndefined();
  });
});

describe('splitters', () => {
  it('cuts frames across arbitrary chunks', () => {
    const s = new FrameSplitter(4);
    expect(s.push(Buffer.from([1, 2, 3]))).toEqual([]);
    expect(s.push(Buffer.from([4, 5, 6, 7, 8, 9]))).toEqual([
      Buffer.from([1, 2, 3, 4]),
      Buffer.from([5, 6, 7, 8]),
    ]);
    expect(s.push(Buffer.from([10, 11, 12]))).toEqual([Buffer.from([9, 10, 11, 12])]);
  });

  it('cuts lines and refuses one longer than the limit, finished or not', () => {
    const s = new LineSplitter(10);
    expect(s.push('{"a":1}\n{"b"')).toEqual({ ok: true, lines: ['{"a":1}'] });
    expect(s.push(':2}\n\n')).toEqual({ ok: true, lines: ['{"b":2}'] });
    expect(new LineSplitter(10).push('x'.repeat(11)).ok).toBe(false);
  });
});

describe('VP8 depacketiser', () => {
  // Descriptor: X=1 S=1 PID=0, then I=1 with a 15-bit picture id.
  const start = (vp8: number[]) => Buffer.from([0x90, 0x80, 0x80, 0x01, ...vp8]);
  const middle = (vp8: number[]) => Buffer.from([0x80, 0x80, 0x80, 0x01, ...vp8]);

  it('reads the descriptor', () => {
    expect(vp8Descriptor(start([0x50]))).toEqual({ frameStart: true, offset: 4 });
    expect(vp8Descriptor(Buffer.from([0x10, 0x51]))).toEqual({ frameStart: true, offset: 1 });
    expect(vp8Descriptor(Buffer.from([0x90, 0x70, 1, 2, 0x51]))).toEqual({ frameStart: true, offset: 4 });
    expect(vp8Descriptor(Buffer.from([0x90]))).toBeUndefined();
  });

  it('joins a frame, tells keyframes, and reports a lost packet', () => {
    const d = new Vp8Depacketizer();
    expect(d.push(1, 100, false, start([0x50, 1]))).toEqual([]);
    expect(d.push(2, 100, true, middle([2, 3]))).toEqual([
      { kind: 'frame', data: Buffer.from([0x50, 1, 2, 3]), keyframe: true },
    ]);
    expect(d.push(3, 200, true, start([0x51, 9]))).toEqual([
      { kind: 'frame', data: Buffer.from([0x51, 9]), keyframe: false },
    ]);
    expect(d.push(4, 300, false, start([0x51]))).toEqual([]);
    expect(d.push(6, 300, true, middle([7]))).toEqual([{ kind: 'lost' }]); // 5 never came
    expect(d.push(8, 400, true, middle([7]))).toEqual([{ kind: 'lost' }]); // its start never came
  });
});

describe('IVF', () => {
  it('writes the file and frame headers', () => {
    const h = ivfFileHeader(640, 360);
    expect(h.length).toBe(32);
    expect(h.subarray(0, 4).toString()).toBe('DKIF');
    expect(h.subarray(8, 12).toString()).toBe('VP80');
    expect([h.readUInt16LE(12), h.readUInt16LE(14), h.readUInt32LE(16), h.readUInt32LE(20)]).toEqual([
      640, 360, 1000, 1,
    ]);
    const f = ivfFrame(Buffer.from([7, 8]), 1234);
    expect([f.readUInt32LE(0), Number(f.readBigUInt64LE(4)), ...f.subarray(12)]).toEqual([2, 1234, 7, 8]);
  });
});

describe('pipeline command lines', () => {
  const s: PipelineSettings = TEST_ENCODE_SETTINGS;

  it('filter: camera on stdin, fitted, the graph, encoded to our RTP port', () => {
    const a = filterPipelineArgs(s, 'hflip,negate');
    expect(a.slice(a.indexOf('-f'), a.indexOf('-f') + 4)).toEqual(['-f', 'ivf', '-i', 'pipe:0']);
    expect(a[a.indexOf('-vf') + 1]).toBe(
      'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:-1:-1,hflip,negate,format=yuv420p',
    );
    expect(a).toContain('-use_wallclock_as_timestamps');
    expect(a).not.toContain('nobuffer');
    expect(a.at(-1)).toBe('rtp://127.0.0.1:5004?pkt_size=1200&rtcpport=5004');
    expect(filterPipelineArgs({ ...s, codec: 'h264', encoder: 'libx264' }, 'negate')).toContain('h264');
  });

  it('exec: raw frames of the documented size out of the decoder and into the encoder', () => {
    expect(frameBytes('rgb24', 640, 360)).toBe(691_200);
    expect(frameBytes('yuv420p', 640, 360)).toBe(345_600);
    expect(frameBytes('gray', 640, 360)).toBe(230_400);
    const dec = decoderArgs(s, 'rgb24');
    expect(dec.slice(-3)).toEqual(['-f', 'rawvideo', 'pipe:1']);
    expect(dec[dec.indexOf('-vf') + 1]).toMatch(/,format=rgb24$/);
    const enc = encoderPipelineArgs(s, 'rgb24');
    const input = enc.indexOf('rawvideo') - 1;
    expect(enc.slice(input, input + 6).join(' ')).toBe('-f rawvideo -pix_fmt rgb24 -s 640x360');
  });
});

describe('sending sections of an answer', () => {
  it('counts audio and video sections the browser sends on', () => {
    const answer = [
      'v=0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=sendrecv',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=sendonly',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=sendrecv',
      '',
    ].join('\r\n');
    expect(sendingSections(answer)).toBe(2);
    expect(
      sendingSections(answer.replace('a=sendrecv', 'a=recvonly').replace('a=sendonly', 'a=inactive')),
    ).toBe(0);
  });
});
