// A fake camera for processing tests and the benchmark: Chromium plays a Y4M file as its webcam
// (`--use-file-for-fake-video-capture`), so the colour of every camera pixel is known and the video that
// comes back can be checked pixel by pixel on a canvas.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../test/support/browser.js';

export type Rgb = [number, number, number];

/** Writes a Y4M clip of `seconds` of one solid colour (640x480, 30 fps) and returns its path. */
export function solidColourY4m(rgb: Rgb, seconds = 2): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'camera-')), 'camera.y4m');
  const hex = rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=640x480:r=30`, '-t', String(seconds)].concat([
      '-pix_fmt',
      'yuv420p',
      '-y',
      file,
    ]),
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not write the camera clip: ${r.stderr}`);
  return file;
}

/** Chromium whose camera (and microphone) are fakes; with `y4m`, the camera plays that file. */
export function launchWithCamera(y4m?: string): Promise<Browser> {
  return launchBrowser([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    ...(y4m ? [`--use-file-for-fake-video-capture=${y4m}`] : []),
  ]);
}

/** The RGB of the page's <video> at a point given as fractions of its width and height. */
export function videoPixel(page: Page, fx = 0.5, fy = 0.5): Promise<Rgb> {
  return page.evaluate(
    ([x, y]) => {
      const v = document.querySelector('video')!;
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      const g = c.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(v, 0, 0);
      const d = g.getImageData(Math.floor(c.width * x!), Math.floor(c.height * y!), 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    [fx, fy],
  );
}

/** Largest per-channel difference of two colours. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}
