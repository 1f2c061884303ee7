// Table tests of source parsing, the streamer config (every problem listed at once), the restart back-off
// and the ffmpeg command lines.
import { describe, expect, it } from 'vitest';
import { TEST_ENCODE_SETTINGS } from './testing/encode-settings.js';
import { configItems } from '../common/index.js';
import { block, refusalLines } from '../test/support/config-refusal.js';
import { loadStreamerConfig } from './config.js';
import { formatSourceSpec, parseSourceSpec } from './source-spec.js';

const SOURCE_USAGE = (parseSourceSpec('cam') as { reason: string }).reason;
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

  it('keeps a bad field and a cross-field violation as items', () => {
    const env = { STREAM_FPS: '0', RECONNECT_MIN_MS: '5000', RECONNECT_MAX_MS: '1000' };
    expect(configItems(() => loadStreamerConfig(env))).toEqual([
      { key: 'STREAM_FPS', value: '0', rule: 'must be ≥ 1' },
      { key: 'RECONNECT_MIN_MS', value: env.RECONNECT_MIN_MS, rule: `must be ≤ RECONNECT_MAX_MS (1000)` },
    ]);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'every field problem, and the rules whose fields parsed',
      {
        STREAMER_URL: 'http://x',
        STREAM_CODEC: 'av1',
        STREAM_FPS: '0',
        STREAM_SOURCE: 'cam',
        ICE_PORT_MIN: '5000',
        RECONNECT_MIN_MS: '5000',
        RECONNECT_MAX_MS: '1000',
      },
      `
        STREAMER_URL="http://x": must be a ws/wss URL
        STREAM_SOURCE="cam": ${SOURCE_USAGE}
        STREAM_CODEC="av1": must be one of vp8, h264
        STREAM_FPS="0": must be ≥ 1
        ICE_PORT_MAX=(unset): needed with ICE_PORT_MIN (set both or neither)
        RECONNECT_MIN_MS="5000": must be ≤ RECONNECT_MAX_MS (1000)
      `,
    ],
    [
      'odd sizes, a reversed ICE range and an audio port on the video port',
      {
        STREAM_WIDTH: '641',
        STREAM_HEIGHT: '361',
        ICE_PORT_MIN: '5000',
        ICE_PORT_MAX: '4000',
        STREAM_SOURCE: 'rtp:5004',
        RTP_AUDIO_PORT: '5004',
      },
      `
        STREAM_WIDTH="641": must be even (4:2:0 video)
        STREAM_HEIGHT="361": must be even (4:2:0 video)
        ICE_PORT_MIN="5000": must be ≤ ICE_PORT_MAX (4000)
        RTP_AUDIO_PORT="5004": must differ from the video port of STREAM_SOURCE
      `,
    ],
  ])('refuses %s, all at once', (_, env, expected) => {
    expect(refusalLines(() => loadStreamerConfig(env))).toEqual(block(expected));
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
