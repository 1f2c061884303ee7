// NVENC detection fed with captured ffmpeg output (testdata/): the encoder listing, the one-frame probe's
// failure reasons, and the media plan chosen from them, for streams and for processing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  interpretNvencProbe,
  needsNvencProbe,
  parseEncoderList,
  planMedia,
  type EncoderFacts,
} from './encoder-select.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(path.join(here, 'testdata', name), 'utf8');
// Captured from Debian 12's ffmpeg 5.1 (lists h264_nvenc although this machine has no GPU) and from a
// build without NVENC.
const debian = parseEncoderList(fixture('encoders-debian12.txt'));
const minimal = parseEncoderList(fixture('encoders-minimal.txt'));
const noDriver = fixture('nvenc-probe-no-driver.txt');

describe('parseEncoderList', () => {
  it('reads encoder names below the legend', () => {
    expect(debian.has('h264_nvenc')).toBe(true);
    expect(debian.has('libvpx')).toBe(true);
    expect(debian.has('libx264')).toBe(true);
    expect(debian.has('=')).toBe(false);
    expect(minimal.has('h264_nvenc')).toBe(false);
  });
});

describe('interpretNvencProbe', () => {
  it.each([
    [0, '', true, 'test encode succeeded'],
    [
      1,
      noDriver,
      false,
      'NVIDIA driver libraries not found (no GPU or container without the NVIDIA runtime)',
    ],
    [
      1,
      '[h264_nvenc @ 0x1] OpenEncodeSessionEx failed: out of memory (10)',
      false,
      'NVENC session limit reached or GPU busy',
    ],
    [1, '[h264_nvenc @ 0x1] No capable devices found', false, 'no NVENC-capable GPU'],
    [
      1,
      '[h264_nvenc @ 0x1] Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1',
      false,
      'NVIDIA driver too old for this ffmpeg',
    ],
    [1, "Unknown encoder 'h264_nvenc'", false, 'ffmpeg built without NVENC'],
    [null, 'something new\nsecond line', false, 'something new'],
  ])('exit %s → works=%s', (code, stderr, works, reason) => {
    expect(interpretNvencProbe(code, stderr)).toEqual({ works, reason });
  });
});

describe('planMedia', () => {
  const gpu: EncoderFacts = { ffmpeg: true, encoders: debian, nvenc: { works: true, reason: 'ok' } };
  const noGpu: EncoderFacts = { ffmpeg: true, encoders: debian, nvenc: interpretNvencProbe(1, noDriver) };
  const none: EncoderFacts = { ffmpeg: false, encoders: new Set() };
  const testsrc = { kind: 'testsrc' } as const;

  it.each([
    [
      'h264 auto with a working GPU → NVENC',
      testsrc,
      'h264',
      'auto',
      gpu,
      { kind: 'ffmpeg', encoder: 'h264_nvenc' },
    ],
    [
      'h264 auto, NVENC listed but no driver → libx264 with the reason',
      testsrc,
      'h264',
      'auto',
      noGpu,
      {
        kind: 'ffmpeg',
        encoder: 'libx264',
        note: 'NVENC not used: NVIDIA driver libraries not found (no GPU or container without the NVIDIA runtime)',
      },
    ],
    ['h264 cpu never uses the GPU', testsrc, 'h264', 'cpu', gpu, { kind: 'ffmpeg', encoder: 'libx264' }],
    ['vp8 uses libvpx even with a GPU', testsrc, 'vp8', 'auto', gpu, { kind: 'ffmpeg', encoder: 'libvpx' }],
    [
      'no ffmpeg → bundled clip',
      testsrc,
      'vp8',
      'auto',
      none,
      { kind: 'replay', path: 'bundled', note: 'ffmpeg not found: replaying a VP8 WebM clip' },
    ],
    [
      'no ffmpeg, file source → replay that file',
      { kind: 'file', path: '/x.webm' },
      'vp8',
      'auto',
      none,
      { kind: 'replay', path: '/x.webm', note: 'ffmpeg not found: replaying a VP8 WebM clip' },
    ],
    ['rtp source needs no encoder', { kind: 'rtp', port: 5004 }, 'h264', 'auto', none, { kind: 'rtp-in' }],
  ] as const)('%s', (_name, source, codec, hw, facts, plan) => {
    expect(planMedia(source, codec, hw, facts)).toEqual({ ok: true, plan });
  });

  it.each([
    ['nvenc insisted but not working', testsrc, 'h264', 'nvenc', noGpu, 'NVENC_UNAVAILABLE'],
    ['nvenc insisted for VP8', testsrc, 'vp8', 'nvenc', gpu, 'NVENC_UNAVAILABLE'],
    ['x11 without ffmpeg', { kind: 'x11', display: ':99' }, 'vp8', 'auto', none, 'FFMPEG_MISSING'],
    ['h264 without ffmpeg', testsrc, 'h264', 'auto', none, 'FFMPEG_MISSING'],
    [
      'vp8 without libvpx',
      testsrc,
      'vp8',
      'auto',
      { ffmpeg: true, encoders: new Set(['libx264']) },
      'ENCODER_MISSING',
    ],
    [
      'h264 with neither encoder',
      testsrc,
      'h264',
      'auto',
      { ffmpeg: true, encoders: new Set(['libvpx']) },
      'ENCODER_MISSING',
    ],
  ] as const)('refuses: %s', (_name, source, codec, hw, facts, code) => {
    const r = planMedia(source, codec, hw, facts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('probes NVENC only when the answer could change the plan', () => {
    expect(needsNvencProbe(testsrc, 'h264', 'auto', debian)).toBe(true);
    expect(needsNvencProbe(testsrc, 'h264', 'cpu', debian)).toBe(false);
    expect(needsNvencProbe(testsrc, 'vp8', 'auto', debian)).toBe(false);
    expect(needsNvencProbe(testsrc, 'h264', 'auto', minimal)).toBe(false);
    expect(needsNvencProbe({ kind: 'rtp', port: 1 }, 'h264', 'auto', debian)).toBe(false);
  });
});

describe('planMedia for processing', () => {
  const facts = (nvenc: boolean): EncoderFacts => ({
    ffmpeg: true,
    encoders: debian,
    nvenc: { works: nvenc, reason: nvenc ? 'test encode succeeded' : 'no NVENC-capable GPU' },
  });
  const filter = { kind: 'process', fn: { kind: 'filter', graph: 'negate' } } as const;

  it('encodes each session with the stream encoder choice, NVENC for H.264 when it works', () => {
    expect(planMedia(filter, 'vp8', 'auto', facts(true))).toEqual({
      ok: true,
      plan: { kind: 'process', encoder: 'libvpx' },
    });
    expect(planMedia(filter, 'h264', 'auto', facts(true))).toEqual({
      ok: true,
      plan: { kind: 'process', encoder: 'h264_nvenc' },
    });
    expect(planMedia(filter, 'h264', 'auto', facts(false))).toMatchObject({
      ok: true,
      plan: { kind: 'process', encoder: 'libx264', note: 'NVENC not used: no NVENC-capable GPU' },
    });
  });

  it('needs ffmpeg for functions but not for the recorder', () => {
    const none: EncoderFacts = { ffmpeg: false, encoders: new Set() };
    expect(planMedia(filter, 'vp8', 'auto', none)).toMatchObject({ ok: false, code: 'FFMPEG_MISSING' });
    expect(planMedia({ kind: 'process', fn: { kind: 'record' } }, 'vp8', 'auto', none)).toEqual({
      ok: true,
      plan: { kind: 'process', encoder: undefined },
    });
  });

  it('probes NVENC for processing whatever the codec, so functions learn whether a GPU works', () => {
    expect(needsNvencProbe(filter, 'vp8', 'auto', debian)).toBe(true);
    expect(needsNvencProbe(filter, 'vp8', 'cpu', debian)).toBe(false);
    expect(needsNvencProbe({ kind: 'testsrc' }, 'vp8', 'auto', debian)).toBe(false);
  });
});
