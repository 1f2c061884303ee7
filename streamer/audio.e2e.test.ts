// Sound where the source has it: a file with an audio stream, and the test tone, reach Epic's frontend in
// real Chromium as Opus next to the video; so do an external encoder's RTP video and Opus (rtp: source with
// RTP_AUDIO_PORT), and a replayed clip's Opus track when there is no ffmpeg; a silent source offers no audio.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeAllBrowsers,
  framesDecoded,
  inboundRtp,
  launchBrowser,
  newPage,
  waitForFirstFrame,
} from '../test/support/browser.js';
import { freePort } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { ffmpegArgs } from './ffmpeg-args.js';
import { startPair, type Pair } from './testing/stack.js';

/** A 3 s VP8 + Opus WebM test clip whose sound is a sine at `hz`, made by ffmpeg. */
function makeClipWithSound(file: string, hz: number): void {
  const made = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30']
      .concat(['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000`, '-t', '3'])
      .concat(['-c:v', 'libvpx', '-c:a', 'libopus', '-shortest', file]),
  );
  expect(made.status, made.stderr.toString()).toBe(0);
}

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

/** Loudness (RMS) of the page's received audio track over half a second, measured through Web Audio. */
function loudness(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections;
    const track = pcs
      .flatMap((pc) => pc.getReceivers())
      .find((r) => r.track.kind === 'audio' && r.track.readyState === 'live')?.track;
    if (!track) return -1;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    // Let the analyser take in half a second of sound: a listening window, not a wait for an event.
    await new Promise((r) => setTimeout(r, 500));
    const samples = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    await ctx.close();
    return Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
  });
}

/** Waits until the page has received `packets` Opus packets and decoded them into something louder than silence. */
async function hearsSound(page: Page, packets = 50): Promise<Record<string, number>> {
  return vi.waitFor(
    async () => {
      const audio = await inboundRtp(page, 'audio');
      const rms = (audio.packetsReceived ?? 0) >= packets ? await loudness(page) : 0;
      if (rms <= 0.001)
        throw new Error(`no sound: loudness ${String(rms)}, inbound audio ${JSON.stringify(audio)}`);
      return audio;
    },
    { timeout: 15_000, interval: 200 },
  );
}

describe.skipIf(!ok)('audio', () => {
  let browser: Browser;
  let dir: string;
  let pair: Pair | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'streamer-audio-'));
  });
  afterAll(async () => {
    await closeAllBrowsers();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function watch(env: Record<string, string>): Promise<{ page: Page; plan: Record<string, unknown> }> {
    await pair?.stop();
    pair = await startPair(env);
    const plan = await pair.streamer!.waitFor((l) => l.msg === 'media plan');
    const { page } = await newPage(browser);
    await page.goto(pair.url);
    await waitForFirstFrame(page);
    return { page, plan };
  }

  it("streams a file's own audio track with its video", async () => {
    const file = path.join(dir, 'with-sound.webm');
    makeClipWithSound(file, 660);
    const { page, plan } = await watch({ STREAM_SOURCE: `file:${file}` });
    expect(plan.audio).toBe('source');
    const audio = await hearsSound(page);
    expect(audio.totalSamplesReceived).toBeGreaterThan(0);
    await page.context().close();
  });

  it('adds the test tone to the test pattern with STREAM_AUDIO=tone, and no audio without it', async () => {
    const toned = await watch({ STREAM_AUDIO: 'tone' });
    expect(toned.plan.audio).toBe('tone');
    await hearsSound(toned.page);
    await toned.page.context().close();

    const silent = await watch({});
    expect(silent.plan.audio).toBe('none');
    // A second of stream (30 frames) has arrived, whatever the machine's pace, and no audio with it.
    const frames = await framesDecoded(silent.page);
    await vi.waitFor(
      async () => expect(await framesDecoded(silent.page)).toBeGreaterThan(frames + 30),
      10_000,
    );
    expect(await inboundRtp(silent.page, 'audio')).toEqual({});
    const sdp = await silent.page.evaluate(
      () =>
        (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections.at(-1)
          ?.remoteDescription?.sdp ?? '',
    );
    expect(sdp).toContain('m=video');
    expect(sdp).not.toContain('m=audio');
    await silent.page.context().close();
  });

  it("passes an external encoder's RTP video and Opus audio through (rtp: source, RTP_AUDIO_PORT)", async () => {
    const [videoPort, audioPort] = [await freePort(), await freePort()];
    // The external encoder: ffmpeg with the command line our own encoder uses, pointed at the streamer's ports.
    const args = ffmpegArgs({
      source: { kind: 'testsrc' },
      codec: 'vp8',
      encoder: 'libvpx',
      width: 320,
      height: 180,
      fps: 30,
      bitrateKbps: 500,
      keyframeIntervalSeconds: 1,
      drawtext: false,
      rtpHost: '127.0.0.1',
      rtpPort: videoPort,
      audio: { from: 'tone', port: audioPort },
    });
    const encoder = spawn('ffmpeg', args, { stdio: 'ignore' });
    try {
      const { page, plan } = await watch({
        STREAM_SOURCE: `rtp:${String(videoPort)}`,
        RTP_AUDIO_PORT: String(audioPort),
      });
      expect(plan.kind).toBe('rtp-in');
      expect(plan.audio).toBe('rtp');
      await hearsSound(page);
      await page.context().close();
    } finally {
      encoder.kill('SIGKILL');
    }
  });

  it("replays a clip's Opus track with its video when ffmpeg is missing", async () => {
    const clip = path.join(dir, 'clip-with-sound.webm');
    makeClipWithSound(clip, 550);
    const emptyPath = path.join(dir, 'no-ffmpeg');
    mkdirSync(emptyPath);
    const { page, plan } = await watch({ PATH: emptyPath, STREAM_SOURCE: `file:${clip}` });
    expect(plan).toMatchObject({ kind: 'replay', audio: 'clip' });
    expect((await pair!.streamer!.waitFor((l) => l.msg === 'source ready')).audio).toBe(true);
    await hearsSound(page);
    await page.context().close();
  });
});
