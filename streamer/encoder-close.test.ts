// Closing the ffmpeg source while its encoder restarts, with real ffmpeg children: close() during the
// back-off after a crash, and close() while the replacement is being launched. Once close() resolves, no
// encoder (ffmpeg nor its watchdog shell) may be left, and none may be started afterwards.
// The back-off runs on a fake setTimeout, installed at the crash: the restart is due when the test moves
// the clock, not after a real wait. The children, their sockets and their exit events keep real time.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../common/index.js';
import { childPids, describeProcess, isAlive } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';
import { loadStreamerConfig } from './config.js';
import { ENCODER_BACKOFF_MS } from './encoder-restart.js';
import { startMediaSource, type MediaSource } from './media-source.js';
import { Writable } from 'node:stream';

const ok = requirements(['ffmpeg']);

type Line = Record<string, unknown>;

/** A logger whose lines are kept and, as each is written, shown to `onLine` (synchronously, in order). */
function watchedLog(onLine: (line: Line) => void) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Line;
        lines.push(line);
        onLine(line);
      }
      done();
    },
  });
  return { log: createLogger('streamer', 'info', sink), lines };
}

/** Our own children (watchdog shells) and theirs (ffmpeg) whose command line names ffmpeg. */
function encoderProcesses(): string[] {
  const ours = childPids(process.pid);
  const all = [...ours, ...ours.flatMap(childPids)];
  return all
    .filter((pid) => isAlive(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ffmpeg');
      } catch {
        return false;
      }
    })
    .map(describeProcess);
}

const started = (lines: Line[]) => lines.filter((l) => l.msg === 'encoder started').map((l) => Number(l.pid));

describe.skipIf(!ok)('closing the ffmpeg source during a restart', () => {
  let source: MediaSource | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await source?.close();
    source = undefined;
  });

  /** Resolves with the line once one matching `want` is logged; a plain event, so a fake clock stays put. */
  const logged = (want: (line: Line) => boolean) => {
    let seen!: (line: Line) => void;
    const line = new Promise<Line>((r) => (seen = r));
    return { line, onLine: (l: Line) => want(l) && seen(l) };
  };

  const start = (onLine: (line: Line) => void = () => undefined) => {
    const config = loadStreamerConfig({
      STREAM_SOURCE: 'testsrc',
      STREAM_WIDTH: '320',
      STREAM_HEIGHT: '180',
    });
    const { log, lines } = watchedLog(onLine);
    const plan = { kind: 'ffmpeg', encoder: config.codec === 'h264' ? 'libx264' : 'libvpx' } as const;
    return { lines, ready: startMediaSource(plan, { kind: 'none' }, config, false, log) };
  };

  /**
   * Waits until the first encoder sends, then kills it and its watchdog like a crash (SIGKILL to the group)
   * with the clock faked from that moment, and waits for the source to log the exit (its restart is then
   * armed on the fake clock).
   */
  const crashFirst = async (lines: Line[], exited: Promise<Line>) => {
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'encoder sending')).toBe(true), {
      timeout: 15_000,
      interval: 50,
    });
    const [first] = started(lines);
    const ffmpeg = childPids(first!); // ffmpeg and the watchdog's pipe reader
    expect(ffmpeg.length).toBeGreaterThan(0);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    process.kill(-first!, 'SIGKILL');
    await exited;
    expect(vi.getTimerCount()).toBe(1); // the restart, waiting out its back-off
    return [first!, ...ffmpeg];
  };
  /** The kernel tears the crashed processes down a moment after the signal. */
  const gone = (pids: number[]) =>
    vi.waitFor(() => expect(pids.filter(isAlive).map(describeProcess)).toEqual([]), {
      timeout: 10_000,
      interval: 20,
    });

  it('close() while the restart waits out its back-off leaves no encoder, now or later', async () => {
    const exit = logged((l) => l.code === 'ENCODER_EXITED');
    const { lines, ready } = start(exit.onLine);
    source = await ready;
    const first = await crashFirst(lines, exit.line);
    await source.close();
    expect(vi.getTimerCount()).toBe(0); // the restart is called off: nothing can start later
    vi.advanceTimersByTime(ENCODER_BACKOFF_MS.at(-1)!); // past any moment a restart could have been due
    await gone(first);
    expect(encoderProcesses()).toEqual([]);
    expect(started(lines)).toHaveLength(1);
  }, 30_000);

  it('close() while the replacement is being launched stops it before close() resolves', async () => {
    let closing: Promise<void> | undefined;
    const exit = logged((l) => l.code === 'ENCODER_EXITED');
    const { lines, ready } = start((line) => {
      exit.onLine(line);
      // The replacement's child exists and launch() has not returned yet: close right now.
      if (line.msg === 'encoder started' && source && !closing) closing = source.close();
    });
    source = await ready;
    const first = await crashFirst(lines, exit.line);
    vi.advanceTimersByTime(ENCODER_BACKOFF_MS[0]); // the restart is due: the replacement launches
    vi.useRealTimers(); // the replacement's own stop (SIGTERM, then SIGKILL after a grace) runs in real time
    await vi.waitFor(() => expect(closing).toBeDefined(), { timeout: 10_000, interval: 20 });
    await closing;
    await gone(first);
    const pids = started(lines);
    expect(pids).toHaveLength(2);
    expect(encoderProcesses()).toEqual([]);
    for (const pid of [...first, ...pids]) expect(isAlive(pid), describeProcess(pid)).toBe(false);
  }, 30_000);
});
