// Processing mode end to end: Epic's frontend with UseCamera in real Chromium, whose fake camera plays a
// solid-colour Y4M, against real sidecar and streamer processes. The video that comes back is checked
// pixel by pixel (an inversion of a known colour), results of a Python function arrive on the data channel,
// a crashing function ends only its own session, and the recorder writes a file ffprobe reads.
// Also: another player on the same streamer keeps its picture and frame rate; a stalled function
// (FUNCTION_STALLED), a flooding one (FUNCTION_FLOOD) and a player without a camera (PROCESS_NO_CAMERA) end
// with their code shown to the player; results reach a real CloudEvents sink with the session id; the
// recording is WebM with VP8 and Opus.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeAllBrowsers, measureFps, newPage, waitForFirstFrame } from '../../test/support/browser.js';
import { startEventSink } from '../../test/support/event-sink.js';
import { requirements } from '../../test/support/tools.js';
import { colourDistance, launchWithCamera, solidColourY4m, videoPixel, type Rgb } from '../testing/camera.js';
import { firstResponse, keepResponses } from '../testing/responses.js';
import { startPair, type Pair } from '../testing/stack.js';

const ok = requirements(['chromium', 'ffmpeg', 'ffprobe', 'python3'], { netns: true });

const CAMERA: Rgb = [200, 40, 40];
const INVERTED: Rgb = [55, 215, 215];
/** Two YUV 4:2:0 conversions and two VP8 encodes move a flat colour by a few levels per channel. */
const TOLERANCE = 24;
const EXAMPLE = 'python3 streamer/processing/examples/invert_detect.py';

/** Opens the player page with the camera on (and the microphone with `mic`); waits for the first frame. */
async function openPlayer(browser: Browser, pair: Pair, mic = false): Promise<Page> {
  const { page, console } = await newPage(browser);
  await page.goto(`${pair.url}?UseCamera=true${mic ? '&UseMic=true' : ''}`);
  await keepResponses(page);
  await waitForFirstFrame(page, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${console.slice(-20).join('\n')}`);
  });
  return page;
}

/** Waits until the centre of the picture is `want` (the first frames may still show the start-up). */
async function expectColour(page: Page, want: Rgb): Promise<void> {
  await expect
    .poll(async () => colourDistance(await videoPixel(page), want), { timeout: 10_000 })
    .toBeLessThanOrEqual(TOLERANCE);
}

describe.skipIf(!ok)('processing the player’s own camera', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchWithCamera(solidColourY4m(CAMERA));
  });
  afterAll(closeAllBrowsers);

  it('filter:negate sends that player its camera inverted', async () => {
    const pair = await startPair({ STREAM_SOURCE: 'process:filter:negate' });
    try {
      const page = await openPlayer(browser, pair);
      await expectColour(page, INVERTED);
      expect(colourDistance(await videoPixel(page), CAMERA)).toBeGreaterThan(100);
      const started = await pair.streamer!.waitFor((l) => l.msg === 'processing started');
      expect(started.function).toBe('filter');
      await page.context().close();
    } finally {
      await pair.stop();
    }
  });

  it('exec: a Python function inverts the frames; its results reach the data channel and the event sink', async () => {
    const sink = await startEventSink();
    const pair = await startPair({ STREAM_SOURCE: `process:exec:${EXAMPLE}` }, { EVENTS_SINK_URL: sink.url });
    try {
      const page = await openPlayer(browser, pair);
      await expectColour(page, INVERTED);
      const first = await firstResponse(page, 10_000);
      expect(first.type).toBe('processing.result');
      // The example saw the camera's own colour (before inverting it) over the whole frame, bars aside.
      expect(first.data).toMatchObject({ type: 'detection', label: 'bright', frame: 30 });
      expect(colourDistance(first.data.mean as Rgb, CAMERA)).toBeLessThan(60);
      // The same results leave as CloudEvents, with the session id the sidecar gave this session.
      const ofType = (type: string) => sink.events.filter((e) => e.type === type);
      await expect.poll(() => ofType('io.pixelstream.processing.result').length).toBeGreaterThan(0);
      const [started] = ofType('io.pixelstream.session.started') as { data: { sessionId: string } }[];
      expect(ofType('io.pixelstream.processing.result')[0]).toMatchObject({
        contentType: 'application/cloudevents+json',
        data: {
          sessionId: started!.data.sessionId,
          playerId: '101',
          result: { type: 'detection', label: 'bright', frame: 30 },
        },
      });
      await page.context().close();
    } finally {
      await pair.stop();
      await sink.close();
    }
  });

  it('a function that crashes ends only its own session; the other player keeps playing', async () => {
    // The second player's function exits 3 after one second of frames; the first one's copies frames.
    const crashing = 'if [ "$SESSION_ID" = 102 ]; then head -c $((FRAME_BYTES * 30)); exit 3; fi; exec cat';
    // A processing pod may serve several sessions, each with its own function process.
    const pair = await startPair(
      { STREAM_SOURCE: `process:exec:${crashing}` },
      { MAX_PLAYERS_PER_STREAMER: '2' },
    );
    try {
      const steady = await openPlayer(browser, pair);
      await expectColour(steady, CAMERA);
      const doomed = await openPlayer(browser, pair);
      const ended = await pair.streamer!.waitFor(
        (l) => l.msg === 'processing session ended' && l.playerId === '102',
        20_000,
      );
      expect(ended.code).toBe('FUNCTION_CRASHED');
      expect(String(ended.reason)).toMatch(/^function exited with 3/);
      await expect
        .poll(() => doomed.locator('#overlay').textContent(), { timeout: 10_000 })
        .toMatch(/FUNCTION_CRASHED/);
      // The first player's session is untouched: still decoding, still its camera's colour.
      const { fps } = await measureFps(steady, 2_000);
      expect(fps).toBeGreaterThan(10);
      await expectColour(steady, CAMERA);
      expect(
        pair.streamer!.lines.some((l) => l.msg === 'processing session ended' && l.playerId === '101'),
      ).toBe(false);
      await Promise.all([steady.context().close(), doomed.context().close()]);
    } finally {
      await pair.stop();
    }
  });

  it.each([
    ['a function that never answers', 'process:exec:sleep 600', '?UseCamera=true', 'FUNCTION_STALLED'],
    ['a function that floods', 'process:exec:cat /dev/zero', '?UseCamera=true', 'FUNCTION_FLOOD'],
    ['a player without a camera', 'process:filter:negate', '', 'PROCESS_NO_CAMERA'],
  ])('%s: only its session ends, with the code', async (_what, source, query, code) => {
    const pair = await startPair({
      STREAM_SOURCE: source,
      PROCESS_STALL_SECONDS: '2',
      PROCESS_CAMERA_TIMEOUT_SECONDS: '3',
    });
    try {
      const { page } = await newPage(browser);
      await page.goto(`${pair.url}${query}`);
      const ended = await pair.streamer!.waitFor((l) => l.msg === 'processing session ended', 20_000);
      expect(ended.code).toBe(code);
      // The player is told the code; the streamer serves the next player.
      await expect.poll(() => page.locator('#overlay').textContent(), { timeout: 10_000 }).toContain(code);
      expect(pair.streamer!.child.exitCode).toBeNull();
      await page.context().close();
    } finally {
      await pair.stop();
    }
  });

  it('record writes the camera and microphone to a WebM file ffprobe reads', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recordings-'));
    const pair = await startPair({ STREAM_SOURCE: 'process:record', RECORD_DIR: dir });
    try {
      const page = await openPlayer(browser, pair, true);
      // The recorder sends the camera back as it came.
      await expectColour(page, CAMERA);
      const started = await pair.streamer!.waitFor((l) => l.msg === 'recording');
      expect(started.tracks).toBe(2);
      // Seconds of recording on disk (the recorder writes as it goes; a still camera takes a few KB a second),
      // at whatever pace the machine has.
      const written = () => readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
      await vi.waitFor(() => expect(written()).toBeGreaterThan(10_000), 15_000);
      await page.context().close();
      await pair.streamer!.waitFor((l) => l.msg === 'player left');
      const [file] = readdirSync(dir);
      expect(file).toMatch(/\.webm$/);
      const probe = spawnSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-show_entries',
          'stream=codec_name,codec_type',
          '-of',
          'json',
          path.join(dir, file!),
        ],
        { encoding: 'utf8' },
      );
      expect(probe.status, probe.stderr).toBe(0);
      const streams = (JSON.parse(probe.stdout) as { streams: { codec_name: string }[] }).streams;
      expect(streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
    } finally {
      await pair.stop();
    }
  });
});
