// runService, the start/stop contract of every kit process, exercised on real child processes and real
// signals: a signal during the start takes effect once the service is up, the first signal stops gracefully
// with exit 0, a second exits at once with 128+n after the abort hook, and a failed start exits 1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = JSON.stringify(path.join(here, 'index.ts'));

/**
 * A child running a service that takes `startMs` to start (or fails to), and `stopMs` to stop. It prints
 * `event:<name>` lines on stderr for each step, so the test can act between them. `starting` is said
 * inside `start`, once runService has its signal handlers in place.
 */
function service(opts: { startMs: number; stopMs: number; failStart?: boolean }) {
  const script = `
    const { createLogger, runService } = await import(${modules});
    const say = (e) => process.stderr.write('event:' + e + '\\n');
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    await runService({
      log: createLogger('test', 'silent'),
      start: async () => { say('starting'); await wait(${opts.startMs}); if (${String(!!opts.failStart)}) throw new Error('boom'); say('started'); return {}; },
      stop: async () => { say('stopping'); await wait(${opts.stopMs}); say('stopped'); },
      abort: () => say('aborted'),
    });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const events: string[] = [];
  const waiters: { name: string; resolve: () => void }[] = [];
  let buffered = '';
  child.stderr.on('data', (c: Buffer) => {
    buffered += c.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('event:')) continue;
      const name = line.slice('event:'.length);
      events.push(name);
      for (const w of waiters.filter((w) => w.name === name)) w.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    events,
    exited,
    seen: (name: string) =>
      events.includes(name)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ name, resolve })),
  };
}

describe('runService', () => {
  it.each([
    ['stops gracefully on the first SIGTERM and exits 0', 'SIGTERM', { startMs: 0, stopMs: 100 }, 'started'],
    [
      'applies a signal sent during the start once the service is up',
      'SIGINT',
      { startMs: 1_500, stopMs: 0 },
      'starting',
    ],
  ] as const)('%s', async (_name, signal, timing, signalAfter) => {
    const s = service(timing);
    await s.seen(signalAfter);
    s.child.kill(signal);
    expect(await s.exited).toBe(0);
    expect(s.events).toEqual(['starting', 'started', 'stopping', 'stopped']);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a second %s aborts and exits %i without waiting for the stop', async (second, code) => {
    // The graceful stop would outlast the test's own timeout: only the second signal can end it in time.
    const s = service({ startMs: 0, stopMs: 600_000 });
    await s.seen('started');
    s.child.kill('SIGTERM');
    await s.seen('stopping');
    s.child.kill(second);
    expect(await s.exited).toBe(code);
    expect(s.events).toEqual(['starting', 'started', 'stopping', 'aborted']);
  });

  it('exits 1 when the start fails', async () => {
    const s = service({ startMs: 0, stopMs: 0, failStart: true });
    expect(await s.exited).toBe(1);
    expect(s.events).toEqual(['starting']);
  });
});
