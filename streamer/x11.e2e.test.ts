// An X display as the source: the streamer captures a real Xvfb, a real browser watches it, mouse input
// from the page moves the X pointer (xdotool/XTEST) to the matching pixel, and keys pressed in the page
// reach an X client on the display as the right keysyms, press and release, in order.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeAllBrowsers, launchBrowser, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { requirements } from '../test/support/tools.js';
import { inputChannelOpen, startPair, type Pair } from './testing/stack.js';

const ok = requirements(['chromium', 'ffmpeg', 'Xvfb', 'xdotool'], { netns: true });
// xev (x11-utils) is the X client that reports what the keyboard injection delivered.
const hasXev = ok && requirements(['xev']);

/** `KeyPress a`, `KeyRelease Shift_L`, … for every key event in xev's output so far. */
function keyEvents(xevOutput: string): string[] {
  const events = xevOutput.matchAll(/(KeyPress|KeyRelease) event,[^]*?\(keysym 0x[0-9a-f]+, ([^)]+)\)/g);
  return [...events].map((m) => `${m[1]} ${m[2]}`);
}

function pointer(display: string): { x: number; y: number } {
  const out = spawnSync('xdotool', ['getmouselocation', '--shell'], {
    env: { ...process.env, DISPLAY: display },
    encoding: 'utf8',
  }).stdout;
  return { x: Number(/X=(\d+)/.exec(out)?.[1]), y: Number(/Y=(\d+)/.exec(out)?.[1]) };
}

describe.skipIf(!ok)('x11: source', () => {
  let browser: Browser;
  let xvfb: ChildProcess | undefined;
  let xev: ChildProcess | undefined;
  let pair: Pair;
  // A display number no desktop uses; the test namespace has its own abstract sockets, /tmp is shared.
  const n = 90 + Math.floor(Math.random() * 400);
  const display = `:${n}`;

  beforeAll(async () => {
    xvfb = spawn('Xvfb', [display, '-screen', '0', '640x360x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    await vi.waitFor(() => expect(existsSync(`/tmp/.X11-unix/X${n}`)).toBe(true), {
      timeout: 5000,
      interval: 100,
    });
    browser = await launchBrowser();
    pair = await startPair({ STREAM_SOURCE: `x11:${display}`, STREAM_WIDTH: '640', STREAM_HEIGHT: '360' });
  });
  afterAll(async () => {
    await closeAllBrowsers();
    await pair?.stop();
    xev?.kill('SIGTERM');
    xvfb?.kill('SIGTERM');
  });

  it('streams the display and injects the mouse', async () => {
    const { page } = await newPage(browser);
    const since = pair.streamer!.lines.length;
    await page.goto(pair.url);
    await waitForFirstFrame(page);
    await inputChannelOpen(pair.streamer!, since);
    // The viewport centre is the video centre is the display centre.
    await page.mouse.move(100, 100);
    await page.mouse.move(640, 360, { steps: 3 });
    await pair.streamer!.waitFor(
      (l) => l.msg === 'input' && l.inputType === 'MouseMove' && Math.abs(Number(l.x) - 32768) <= 2,
    );
    await vi.waitFor(
      () => {
        const at = pointer(display);
        expect(Math.abs(at.x - 320)).toBeLessThanOrEqual(1);
        expect(Math.abs(at.y - 180)).toBeLessThanOrEqual(1);
      },
      { timeout: 3000, interval: 100 },
    );
    // A corner maps to the display's last pixel.
    await page.mouse.move(1279, 719, { steps: 2 });
    await vi.waitFor(
      () => {
        const at = pointer(display);
        expect(at.x).toBeGreaterThanOrEqual(637);
        expect(at.y).toBeGreaterThanOrEqual(357);
      },
      { timeout: 3000, interval: 100 },
    );
    await page.context().close();
  });

  it.skipIf(!hasXev)('injects keys: letter, Enter, Shift+letter, arrow', async () => {
    xev = spawn('xev', ['-display', display, '-event', 'keyboard'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    xev.stdout!.setEncoding('utf8').on('data', (chunk: string) => (seen += chunk));
    // No window manager runs, so give xev's window the focus ourselves. The window is named before it is
    // mapped, and X refuses focus to an unmapped window: search only visible ones. --sync waits for each.
    const focus = spawnSync(
      'xdotool',
      ['search', '--sync', '--onlyvisible', '--name', 'Event Tester', 'windowfocus', '--sync'],
      { env: { ...process.env, DISPLAY: display }, encoding: 'utf8', timeout: 10_000 },
    );
    expect(focus.status, `xdotool windowfocus: ${focus.stderr}`).toBe(0);

    const { page } = await newPage(browser);
    const streamer = pair.streamer!;
    const since = streamer.lines.length;
    await page.goto(pair.url);
    await waitForFirstFrame(page);
    const playerId = await inputChannelOpen(streamer, since);
    for (const key of ['KeyA', 'Enter', 'Shift+KeyB', 'ArrowLeft']) await page.keyboard.press(key);
    // First the page → streamer leg: all ten key events arrive, so a failure below is the X leg's.
    const keyLines = () =>
      streamer.lines
        .filter(
          (l) => l.msg === 'input' && l.playerId === playerId && /^Key(Down|Up)$/.test(String(l.inputType)),
        )
        .map((l) => `${String(l.inputType)} ${String(l.keyCode)}`);
    await expect
      .poll(keyLines, { timeout: 10_000 })
      .toEqual([
        'KeyDown 65',
        'KeyUp 65',
        'KeyDown 13',
        'KeyUp 13',
        'KeyDown 16',
        'KeyDown 66',
        'KeyUp 66',
        'KeyUp 16',
        'KeyDown 37',
        'KeyUp 37',
      ]);
    const expected = [
      'KeyPress a',
      'KeyRelease a',
      'KeyPress Return',
      'KeyRelease Return',
      'KeyPress Shift_L',
      'KeyPress B', // X reports the shifted keysym: Shift is held on the display when b goes down
      'KeyRelease B',
      'KeyRelease Shift_L',
      'KeyPress Left',
      'KeyRelease Left',
    ];
    await expect.poll(() => keyEvents(seen), { timeout: 10_000 }).toEqual(expected);
    // Nothing else follows: one more key through the same path comes next, with no stray repeat or release
    // before it, and as a plain c (Shift was let go).
    await page.keyboard.press('KeyC');
    await expect
      .poll(() => keyEvents(seen), { timeout: 10_000 })
      .toEqual([...expected, 'KeyPress c', 'KeyRelease c']);
    await page.context().close();
  });
});
