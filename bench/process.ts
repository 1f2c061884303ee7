// `npm run bench:process`: what a player of a processing pod experiences, measured with real Chromium
// (Epic's frontend, UseCamera) against real sidecar + streamer processes, for several functions:
//   - latency from a camera frame to its processed frame shown on the page, p50/p95: the page's camera is a
//     canvas that paints a frame counter as black/white blocks (with a white and a black reference block,
//     so an inverting function still reads); each frame the page presents is decoded back to its counter;
//   - frames per second shown, sustained over the measurement.
// BENCH_SECONDS (default 10) sets the measurement; BENCH_ONLY=<text> keeps the functions whose name has it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { closeAllBrowsers, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { launchWithCamera } from '../streamer/testing/camera.js';
import { startPair } from '../streamer/testing/stack.js';
import { runInPodNetns } from './pod-netns.js';

const self = fileURLToPath(import.meta.url);
runInPodNetns(self);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FUNCTIONS = [
  'filter:negate',
  'exec:cat',
  'exec:python3 streamer/processing/examples/invert_detect.py',
  'record',
].filter((f) => f.includes(process.env.BENCH_ONLY ?? ''));

/**
 * Runs in the page before its scripts: getUserMedia's camera becomes a 640x360 canvas at 30 fps painting
 * its frame counter as 14 bit blocks (4×4 grid: block 0 white, block 1 black, then bits, most significant
 * first), and the time each counter was painted is kept.
 */
function markerCamera(): void {
  const painted = new Map<number, number>();
  (window as unknown as { painted: Map<number, number> }).painted = painted;
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const g = canvas.getContext('2d')!;
  let n = 0;
  const paint = () => {
    n = (n + 1) % 16384;
    for (let b = 0; b < 16; b++) {
      const bit = b === 0 ? 1 : b === 1 ? 0 : (n >> (15 - b)) & 1;
      g.fillStyle = bit ? '#fff' : '#000';
      g.fillRect((b % 4) * 160, Math.floor(b / 4) * 90, 160, 90);
    }
    painted.set(n, performance.now());
  };
  paint();
  setInterval(paint, 1000 / 30);
  const stream = canvas.captureStream(30);
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) =>
    c?.video ? new MediaStream(stream.getVideoTracks()) : original(c);
}

/** Measures in the page: for every presented frame, its counter and how long ago that counter was painted. */
function measure(page: Page, seconds: number): Promise<{ latencies: number[]; frames: number }> {
  return page.evaluate(async (ms) => {
    const painted = (window as unknown as { painted: Map<number, number> }).painted;
    const v = document.querySelector('video')!;
    const c = document.createElement('canvas');
    const g = c.getContext('2d', { willReadFrequently: true })!;
    const latencies: number[] = [];
    let frames = 0;
    let done = false;
    const luma = (x: number, y: number) => {
      const d = g.getImageData(x, y, 1, 1).data;
      return (d[0]! + d[1]! + d[2]!) / 3;
    };
    const onFrame = (now: number) => {
      if (done) return;
      frames++;
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      g.drawImage(v, 0, 0);
      const at = (b: number) =>
        luma(((b % 4) + 0.5) * (c.width / 4), (Math.floor(b / 4) + 0.5) * (c.height / 4));
      const white = at(0);
      const black = at(1);
      let n = 0;
      for (let b = 2; b < 16; b++) n = (n << 1) | (Math.abs(at(b) - white) < Math.abs(at(b) - black) ? 1 : 0);
      const t = painted.get(n);
      if (t !== undefined && Math.abs(white - black) > 100) latencies.push(now - t);
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    await new Promise((r) => setTimeout(r, ms));
    done = true;
    return { latencies, frames };
  }, seconds * 1000);
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

// Recordings of the record run go to a temporary folder, removed at the end.
const recordDir = mkdtempSync(path.join(tmpdir(), 'bench-recordings-'));
const browser = await launchWithCamera();
const rows: string[][] = [];
try {
  for (const fn of FUNCTIONS) {
    const pair = await startPair({
      STREAM_SOURCE: `process:${fn}`,
      LOG_INPUT: 'false',
      RECORD_DIR: recordDir,
    });
    try {
      const { page } = await newPage(browser);
      // tsx names the page functions' inner arrows with a helper the page does not have.
      await page.addInitScript('window.__name = (f) => f');
      await page.addInitScript(markerCamera);
      await page.goto(`${pair.url}?UseCamera=true&stats=0`);
      await waitForFirstFrame(page, 30_000);
      await page.waitForTimeout(2_000); // past the start-up and the jitter buffer's first adjustments
      const { latencies, frames } = await measure(page, SECONDS);
      rows.push([
        fn,
        `${Math.round(pct(latencies, 50))} ms`,
        `${Math.round(pct(latencies, 95))} ms`,
        (frames / SECONDS).toFixed(1),
        `${latencies.length}/${frames}`,
      ]);
      await page.context().close();
    } finally {
      await pair.stop();
    }
  }
} finally {
  await closeAllBrowsers();
  rmSync(recordDir, { recursive: true, force: true });
}

const header = ['function', 'camera → shown p50', 'p95', 'fps shown', 'frames read'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `\n(640x360 marker camera at 30 fps; ${SECONDS} s per function; latency = painted in the page's camera canvas → presented by its <video> after the round trip; ${path.basename(self)})`,
  ].join('\n'),
);
