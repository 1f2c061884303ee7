// runService, the start/stop contract of every kit process, exercised on real child processes and real
// signals: a signal during the start aborts a start that listens (exit 0, no stop) and takes effect once the
// service is up for one that does not, the first signal stops gracefully with exit 0, a second exits at once
// with 128+n after the abort hook, and a failed start exits 1.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = JSON.stringify(path.join(here, 'index.ts'));

// A child whose test failed may still be waiting (a ten-minute start or stop): none outlives its test.
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

/**
 * A child running a service that starts at once (or fails to) or, with `gated`, only once the test writes a
 * line to its stdin, and takes `stopMs` to stop. With `abortable`, the start waits ten minutes on Node's own
 * timer, given the AbortSignal runService passes to `start`, and says `start-aborted` when it gives up. It prints `event:<name>` lines on stderr for each step, so the test can act between them, and its log
 * lines on stdout (their messages in `messages()`). `starting` is said inside `start`, once runService has
 * its signal handlers in place; `signal` once a SIGTERM or SIGINT has reached the child (after runService's
 * own handler).
 */
function service(opts: { gated?: boolean; abortable?: boolean; stopMs: number; failStart?: boolean }) {
  const script = `
    const { createLogger, runService } = await import(${modules});
    const { setTimeout: sleep } = await import('node:timers/promises');
    const say = (e) => process.stderr.write('event:' + e + '\\n');
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    const gate = () => new Promise((r) => process.stdin.once('data', r));
    await runService({
      log: createLogger('test', 'info'),
      start: async (signal) => {
        for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => say('signal'));
        say('starting');
        if (${String(!!opts.abortable)}) {
          await sleep(600_000, undefined, { signal }).catch((err) => { say('start-aborted'); throw err; });
        }
        if (${String(!!opts.gated)}) await gate();
        if (${String(!!opts.failStart)}) throw new Error('boom');
        say('started');
        return {};
      },
      stop: async () => { say('stopping'); await wait(${opts.stopMs}); say('stopped'); },
      abort: () => say('aborted'),
    });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
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
    /** The service's steps, without the `signal` acknowledgements. */
    steps: () => events.filter((e) => e !== 'signal'),
    exited,
    /** The `msg` of every log line printed so far. */
    messages: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    seen: (name: string) =>
      events.includes(name)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ name, resolve })),
  };
}

describe('runService', () => {
  it.each([
    ['stops gracefully on the first SIGTERM and exits 0', 'SIGTERM', false],
    ['applies a signal sent during a start that ignores it once the service is up', 'SIGINT', true],
  ] as const)('%s', async (_name, signal, duringStart) => {
    const s = service({ gated: duringStart, stopMs: 100 });
    await s.seen(duringStart ? 'starting' : 'started');
    s.child.kill(signal);
    await s.seen('signal');
    s.child.stdin.end('go\n'); // a gated start finishes only now, after the signal arrived
    expect(await s.exited).toBe(0);
    expect(s.steps()).toEqual(['starting', 'started', 'stopping', 'stopped']);
    expect(s.messages()).not.toContain('stopped during start');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'a %s during the start aborts a start that listens, exits 0 and never stops a service',
    async (signal) => {
      // The start would wait ten minutes: only the aborted signal ends it within the test's timeout.
      const s = service({ abortable: true, stopMs: 0 });
      await s.seen('starting');
      s.child.kill(signal);
      expect(await s.exited).toBe(0);
      expect(s.steps()).toEqual(['starting', 'start-aborted']);
      expect(s.messages()).toEqual(['stopped during start']);
    },
  );

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a second %s aborts and exits %i without waiting for the stop', async (second, code) => {
    // The graceful stop would outlast the test's own timeout: only the second signal can end it in time.
    const s = service({ stopMs: 600_000 });
    await s.seen('started');
    s.child.kill('SIGTERM');
    await s.seen('stopping');
    s.child.kill(second);
    expect(await s.exited).toBe(code);
    expect(s.steps()).toEqual(['starting', 'started', 'stopping', 'aborted']);
  });

  it('exits 1 when the start fails', async () => {
    const s = service({ stopMs: 0, failStart: true });
    expect(await s.exited).toBe(1);
    expect(s.steps()).toEqual(['starting']);
  });
});
