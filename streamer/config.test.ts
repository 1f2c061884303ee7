// Table tests of source parsing, the streamer config (every problem listed at once), the restart back-off
// and the ffmpeg command lines.
import { describe, expect, it } from 'vitest';
import { TEST_ENCODE_SETTINGS } from './testing/encode-settings.js';
import { ConfigError } from '../common/index.js';
import { loadStreamerConfig } from './config.js';
import { formatSourceSpec, parseSourceSpec } from './source-spec.js';
import { backoffDelay } from './backoff.js';
import { ffmpegArgs, gopFrames } from './ffmpeg-args.js';

describe('parseSourceSpec', () => {
  it.each([
    ['testsrc', { kind: 'testsrc' }],
    ['file:/media/clip.mp4', { kind: 'file', path: '/media/clip.mp4' }],
    ['file:relative/with:colon.webm', { kind: 'file', path: 'relative/with:colon.webm' }],
    ['x11::99', { kind: 'x11', display: ':99' }],
    ['x11::0.1', { kind: 'x11', display: ':0.1' }],
    ['rtp:5004', { kind: 'rtp', port: 5004 }],
  ])('%s', (value, spec) => {
    expect(parseSourceSpec(value)).toEqual({ ok: true, spec });
    expect(formatSourceSpec(spec as Parameters<typeof formatSourceSpec>[0])).toBe(value);
  });

  it.each(['', 'camera', 'file:', 'x11:remote:0', 'x11:99', 'rtp:', 'rtp:70000', 'rtp:abc', 'ftp:x'])(
    'refuses %j',
    (value) => {
      expect(parseSourceSpec(value).ok).toBe(false);
    },
  );
});

describe('loadStreamerConfig', () => {
  it('has working defaults', () => {
    const c = loadStreamerConfig({});
    expect(c).toMatchObject({
      url: 'ws://127.0.0.1:8888',
      streamerId: 'DefaultStreamer',
      source: { kind: 'testsrc' },
      codec: 'vp8',
      fps: 30,
      keyframeStrategy: 'gop-cache',
      hwEncoder: 'auto',
      iceExtraHosts: ['127.0.0.1'],
      icePortRange: undefined,
    });
  });

  it('lists every problem at once', () => {
    try {
      loadStreamerConfig({
        STREAMER_URL: 'http://x',
        STREAM_CODEC: 'av1',
        STREAM_FPS: '0',
        STREAM_SOURCE: 'cam',
        ICE_PORT_MIN: '5000',
      });
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['STREAMER_URL', 'STREAM_CODEC', 'STREAM_FPS']) expect(problems).toContain(name);
    }
    // Cross-field rules run once the fields themselves are valid.
    expect(() =>
      loadStreamerConfig({ STREAM_SOURCE: 'cam', ICE_PORT_MIN: '5000', STREAM_WIDTH: '641' }),
    ).toThrow(/STREAM_SOURCE[\s\S]*ICE_PORT_MIN[\s\S]*STREAM_WIDTH/);
  });

  it('takes a port range for ICE', () => {
    expect(loadStreamerConfig({ ICE_PORT_MIN: '40000', ICE_PORT_MAX: '40100' }).icePortRange).toEqual([
      40000, 40100,
    ]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter inside the window', () => {
    expect(backoffDelay(0, 250, 10_000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 10_000, () => 1)).toBe(2000);
    expect(backoffDelay(30, 250, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(30, 250, 10_000, () => 0)).toBe(250);
  });
});

describe('ffmpegArgs', () => {
  const base = TEST_ENCODE_SETTINGS;
  it('sends ≤1200-byte RTP to our socket, with RTCP on the same port', () => {
    const a = ffmpegArgs({ ...base, source: { kind: 'testsrc' } });
    expect(a.at(-1)).toBe('rtp://127.0.0.1:5004?pkt_size=1200&rtcpport=5004');
    expect(a).toContain('-nostdin');
    expect(a.slice(a.indexOf('-g'), a.indexOf('-g') + 2)).toEqual(['-g', '30']);
  });
  it('captures X displays at the stream size and loops files', () => {
    const x = ffmpegArgs({ ...base, source: { kind: 'x11', display: ':99' } }).join(' ');
    expect(x).toContain('-f x11grab -framerate 30 -video_size 640x360 -draw_mouse 1 -i :99');
    const f = ffmpegArgs({ ...base, source: { kind: 'file', path: '/a.mp4' } }).join(' ');
    expect(f).toContain('-re -stream_loop -1 -i /a.mp4');
  });
  it('uses a baseline, B-frame-free H.264 on NVENC and x264', () => {
    const n = ffmpegArgs({ ...base, codec: 'h264', encoder: 'h264_nvenc', source: { kind: 'testsrc' } }).join(
      ' ',
    );
    expect(n).toContain('-c:v h264_nvenc -preset p1 -tune ull');
    expect(n).toContain('-bf 0');
    const x = ffmpegArgs({ ...base, codec: 'h264', encoder: 'libx264', source: { kind: 'testsrc' } }).join(
      ' ',
    );
    expect(x).toContain('-profile:v baseline');
    expect(x).toContain('-tune zerolatency');
  });
  it('rounds the GOP to whole frames, at least one', () => {
    expect(gopFrames(30, 0.5)).toBe(15);
    expect(gopFrames(30, 0.01)).toBe(1);
  });
});
