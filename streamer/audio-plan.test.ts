import { describe, expect, it } from 'vitest';
import { TEST_ENCODE_SETTINGS } from './testing/encode-settings.js';
import { hasAudioStream, needsAudioProbe, planAudio, type AudioFacts } from './audio-plan.js';
import { loadStreamerConfig } from './config.js';
import { ffmpegArgs } from './ffmpeg-args.js';

const FILE = { kind: 'file', path: '/clips/a.mp4' } as const;
const TESTSRC = { kind: 'testsrc' } as const;
const X11 = { kind: 'x11', display: ':99' } as const;
const RTP = { kind: 'rtp', port: 5004 } as const;
const full: AudioFacts = { ffmpeg: true, opus: true, fileHasAudio: true };

describe('hasAudioStream', () => {
  it("finds an audio stream in ffmpeg's description of an input", () => {
    const info = `Input #0, matroska,webm, from 'a.webm':
  Duration: 00:00:03.00, start: 0.000000, bitrate: 500 kb/s
  Stream #0:0: Video: vp8, yuv420p(tv, progressive), 320x180, SAR 1:1 DAR 16:9, 30 fps, 30 tbr, 1k tbn (default)
  Stream #0:1(eng): Audio: opus, 48000 Hz, stereo, fltp (default)
At least one output file must be specified`;
    expect(hasAudioStream(info)).toBe(true);
    expect(hasAudioStream(info.replace(/^.*Audio.*$/m, ''))).toBe(false);
    expect(hasAudioStream('a.mp4: No such file or directory')).toBe(false);
    // A title that merely says "Audio:" is not a stream.
    expect(hasAudioStream('    title           : Audio: commentary\n  Stream #0:0: Video: h264')).toBe(false);
  });
});

describe('planAudio', () => {
  it.each([
    ['a file with sound, auto', FILE, 'auto', full, { kind: 'source' }],
    ['a silent file, auto', FILE, 'auto', { ...full, fileHasAudio: false }, { kind: 'none' }],
    ['a silent file, tone', FILE, 'tone', { ...full, fileHasAudio: false }, { kind: 'tone' }],
    ['a file with sound, tone (its own sound wins)', FILE, 'tone', full, { kind: 'source' }],
    ['anything, off', FILE, 'off', full, { kind: 'none' }],
    ['the test pattern, auto', TESTSRC, 'auto', full, { kind: 'none' }],
    ['the test pattern, tone', TESTSRC, 'tone', full, { kind: 'tone' }],
    ['an X display, auto', X11, 'auto', full, { kind: 'none' }],
    [
      'no ffmpeg: whatever the replayed clip has',
      TESTSRC,
      'tone',
      { ffmpeg: false, opus: false },
      { kind: 'clip' },
    ],
    ['no ffmpeg, off', FILE, 'off', { ffmpeg: false, opus: false }, { kind: 'none' }],
  ] as const)('%s', (_name, source, mode, facts, plan) => {
    expect(planAudio(source, mode, 0, facts)).toEqual(plan);
  });
  it('says why when the sound cannot be sent', () => {
    expect(planAudio(FILE, 'auto', 0, { ...full, opus: false })).toEqual({
      kind: 'none',
      note: 'audio not sent: ffmpeg has no libopus encoder',
    });
    expect(planAudio(RTP, 'tone', 0, full).kind).toBe('none');
    expect(planAudio(RTP, 'tone', 0, full)).toHaveProperty('note');
  });
  it("takes an external encoder's Opus from RTP_AUDIO_PORT", () => {
    expect(planAudio(RTP, 'auto', 5006, full)).toEqual({ kind: 'rtp', port: 5006 });
    expect(planAudio(RTP, 'auto', 0, full)).toEqual({ kind: 'none' });
    expect(planAudio(RTP, 'off', 5006, full)).toEqual({ kind: 'none' });
  });
  it('probes only files, and not when audio is off', () => {
    expect(needsAudioProbe(FILE, 'auto')).toBe(true);
    expect(needsAudioProbe(FILE, 'off')).toBe(false);
    expect(needsAudioProbe(TESTSRC, 'tone')).toBe(false);
  });
});

describe('ffmpeg audio output', () => {
  const base = TEST_ENCODE_SETTINGS;
  it("adds a second RTP output with Opus from the source's first audio stream", () => {
    const a = ffmpegArgs({ ...base, source: FILE, audio: { from: 'source', port: 5006 } });
    const joined = a.join(' ');
    expect(joined).toContain('-map 0:v:0');
    expect(joined).toContain('-map 0:a:0 -vn -c:a libopus');
    expect(joined).toContain(
      '-ar 48000 -ac 2 -f rtp -payload_type 111 rtp://127.0.0.1:5006?pkt_size=1200&rtcpport=5006',
    );
    // The video output comes first and keeps its own URL.
    expect(a.indexOf('rtp://127.0.0.1:5004?pkt_size=1200&rtcpport=5004')).toBeLessThan(a.indexOf('-c:a'));
  });
  it('generates the tone as a second, real-time input', () => {
    const a = ffmpegArgs({ ...base, source: TESTSRC, audio: { from: 'tone', port: 5006 } }).join(' ');
    expect(a).toContain('-re -f lavfi -i sine=frequency=440:sample_rate=48000,volume=-20dB');
    expect(a).toContain('-map 1:a:0');
  });
  it('leaves the video-only command as it was', () => {
    const a = ffmpegArgs({ ...base, source: FILE });
    expect(a).not.toContain('-map');
    expect(a).toContain('-an');
  });
});

describe('STREAM_AUDIO and RTP_AUDIO_PORT', () => {
  it("default to the source's own audio and no RTP audio port", () => {
    const c = loadStreamerConfig({});
    expect(c.audio).toBe('auto');
    expect(c.rtpAudioPort).toBe(0);
  });
  it('are validated like the rest', () => {
    expect(() => loadStreamerConfig({ STREAM_AUDIO: 'loud', RTP_AUDIO_PORT: '70000' })).toThrow(
      /STREAM_AUDIO="loud"[\s\S]*RTP_AUDIO_PORT="70000"/,
    );
    expect(() => loadStreamerConfig({ STREAM_SOURCE: 'rtp:5004', RTP_AUDIO_PORT: '5004' })).toThrow(
      /RTP_AUDIO_PORT="5004": must differ/,
    );
  });
});
