// The streamer process with a real ffmpeg whose encoder fails: one that never sends a packet (a file that is
// not media) is given up after ENCODER_MAX_FAILED_STARTS starts with a coded line and exit 1; one that
// worked and then died is restarted however often it dies; an X display that appears only after the
// encoder has failed for want of it is picked up by the restarts.
// Restarts after a SIGKILL of the encoder's process group happen even with ENCODER_MAX_FAILED_STARTS=1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, startNode, type LogLine, type RunningProcess } from '../test/support/processes.js';
import { requirements } from '../test/support/tools.js';

const ok = requirements(['ffmpeg']);
const withX = requirements(['ffmpeg', 'Xvfb']);

/** Encoder pids (their watchdog shells, which lead the encoders' process groups) in start order. */
const encoders = (s: RunningProcess) =>
  s.lines.filter((l) => l.msg === 'encoder started').map((l) => Number(l.pid));

describe.skipIf(!ok)('encoder failures', () => {
  let streamer: RunningProcess | undefined;
  let xvfb: ChildProcess | undefined;
  afterEach(async () => {
    await streamer?.stop('SIGKILL');
    xvfb?.kill('SIGTERM');
  });
  // Nothing listens on port 9: these tests are about the encoder, signalling keeps retrying meanwhile.
  const start = (env: Record<string, string>) =>
    (streamer = startNode('streamer/main.ts', {
      STREAMER_URL: 'ws://127.0.0.1:9',
      STREAM_WIDTH: '320',
      STREAM_HEIGHT: '180',
      ...env,
    }));

  it('gives up on a file that is not media: coded line with ffmpeg’s words, exit 1', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'streamer-enc-')), 'noise.mp4');
    writeFileSync(file, randomBytes(64 * 1024));
    const s = start({ STREAM_SOURCE: `file:${file}`, ENCODER_MAX_FAILED_STARTS: '3' });
    const line = await s.waitFor((l) => l.code === 'ENCODER_FAILED', 20_000);
    expect(await s.exited).toBe(1);
    expect(line).toMatchObject({ level: 'error', source: `file:${file}`, failedStarts: 3 });
    const stderr = line.stderr as string[];
    expect(stderr.length).toBeGreaterThan(0);
    expect(stderr.join('\n')).toMatch(/Invalid data found when processing input/);
    expect(encoders(s)).toHaveLength(3);
    expect(s.lines.filter((l) => l.code === 'ENCODER_EXITED')).toHaveLength(3);
    expect(s.lines.filter((l) => l.msg === 'encoder sending')).toEqual([]);
    for (const pid of encoders(s)) expect(isAlive(pid)).toBe(false);
  }, 30_000);

  it('restarts an encoder that had sent packets every time it dies, even with a bound of 1', async () => {
    const s = start({ STREAM_SOURCE: 'testsrc', ENCODER_MAX_FAILED_STARTS: '1' });
    const sending = (n: number) => (l: LogLine) => l.msg === 'encoder sending' && l.pid === encoders(s)[n];
    for (let n = 0; n < 3; n++) {
      await s.waitFor(sending(n), 15_000);
      // A crash of the whole encoder (watchdog shell and ffmpeg): SIGKILL to its process group.
      process.kill(-encoders(s)[n]!, 'SIGKILL');
      await s.waitFor((l) => encoders(s).length > n + 1 && l.msg === 'encoder started', 15_000);
    }
    await s.waitFor(sending(3), 15_000);
    expect(s.lines.filter((l) => l.code === 'ENCODER_EXITED')).toHaveLength(3);
    expect(s.lines.filter((l) => l.code === 'ENCODER_FAILED')).toEqual([]);
    expect(s.child.exitCode).toBeNull();
  }, 60_000);

  it.skipIf(!withX)(
    'picks up an X display that appears after the encoder failed twice for want of it',
    async () => {
      // A display number no desktop uses; /tmp/.X11-unix is shared with the host.
      const n = 500 + Math.floor(Math.random() * 400);
      const s = start({ STREAM_SOURCE: `x11::${n}` });
      const exits = () => s.lines.filter((l) => l.code === 'ENCODER_EXITED').length;
      await s.waitFor((l) => l.code === 'ENCODER_EXITED' && exits() >= 2, 15_000);
      xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', '320x180x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
      // The next restarts (1 s, then 2 s later) find the display once Xvfb is up.
      await s.waitFor((l) => l.msg === 'encoder sending', 20_000);
      expect(encoders(s).length).toBeGreaterThan(1);
      expect(s.lines.filter((l) => l.code === 'ENCODER_FAILED')).toEqual([]);
      expect(s.child.exitCode).toBeNull();
    },
    45_000,
  );
});
