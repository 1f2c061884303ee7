// `npm start`'s script end to end: it prints a URL that shows video in a real browser, and one Ctrl-C (a
// SIGINT to the terminal's whole foreground process group) stops the streamer, its encoder and the sidecar,
// each cleanly: one signal each, no "second signal" shortcut.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import {
  startNode,
  type RunningProcess,
  isAlive,
  childPids,
  describeProcess,
} from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('local stack', () => {
  const chromium = browserPerSuite();
  let stack: RunningProcess | undefined;
  afterAll(async () => {
    await stack?.stop('SIGKILL');
  });

  it('shows video at the printed URL and stops everything cleanly on Ctrl-C', async () => {
    stack = startNode(
      'scripts/local-stack.ts',
      { PLAYER_PORT: '0', STREAM_WIDTH: '640', STREAM_HEIGHT: '360' },
      [],
      { ownProcessGroup: true },
    );
    const line = await stack.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.includes('[local-stack] open http'),
      30_000,
    );
    const url = /(http:\/\/\S+)/.exec(String(line.msg))?.[1];
    expect(url).toBeDefined();
    const encoderLine = await stack.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('streamer: encoder started'),
    );
    const encoder = Number(/"pid":(\d+)/.exec(String(encoderLine.msg))?.[1]);
    const kids = childPids(stack.pid);
    expect(kids).toHaveLength(2); // sidecar and streamer
    const ffmpeg = childPids(encoder); // the encoder's watchdog shell runs ffmpeg and its pipe reader
    expect(ffmpeg.length).toBeGreaterThan(0);

    const { page } = await newPage(chromium.browser);
    await page.goto(url!);
    await waitForFirstFrame(page);
    await page.context().close();

    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-stack.pid, 'SIGINT');
    expect(await stack.exited).toBe(0);
    for (const pid of [...kids, encoder, ...ffmpeg])
      expect(isAlive(pid), `pid ${pid} still running`).toBe(false);
    const said = stack.lines.map((l) => String(l.msg));
    expect(said.filter((m) => m.includes('second signal'))).toEqual([]);
    expect(said.some((m) => m.startsWith('streamer: stopping'))).toBe(true);
    expect(said.some((m) => m.startsWith('sidecar: stopping'))).toBe(true);
  });

  it('leaves nothing behind when it is killed hard (SIGKILL): the children watch their stdin pipe', async () => {
    stack = startNode('scripts/local-stack.ts', {
      PLAYER_PORT: '0',
      STREAM_WIDTH: '320',
      STREAM_HEIGHT: '180',
    });
    await stack.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.includes('[local-stack] open http'),
      30_000,
    );
    const encoderLine = await stack.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('streamer: encoder started'),
    );
    const encoder = Number(/"pid":(\d+)/.exec(String(encoderLine.msg))?.[1]);
    const kids = childPids(stack.pid);
    expect(kids).toHaveLength(2);
    const ffmpeg = childPids(encoder);

    await stack.stop('SIGKILL');
    const everyone = [...kids, encoder, ...ffmpeg];
    try {
      await vi.waitFor(
        () => {
          for (const pid of everyone)
            expect(isAlive(pid), `${describeProcess(pid)} outlived the stack`).toBe(false);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      for (const pid of everyone.filter(isAlive)) process.kill(pid, 'SIGKILL'); // never leave them to the next test
    }
  });
});
