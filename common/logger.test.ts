// The logger of every process: lines reach stdout before an immediate exit, and a stdout whose reader is
// gone (a killed supervisor) neither crashes nor hangs the process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const logger = path.join(path.dirname(fileURLToPath(import.meta.url)), 'logger.ts');

/**
 * A node child that logs `lines` lines and exits at once; `reader: false` closes its stdout first. That
 * child logs only once the parent, its end of the pipe closed, says so on the child's stdin.
 */
function logAndExit(lines: number, reader: boolean) {
  const script = [
    `const { createLogger } = await import(${JSON.stringify(logger)});`,
    `if (!${String(reader)}) await new Promise((r) => process.stdin.once('data', r));`,
    `const log = createLogger('test');`,
    `for (let i = 0; i < ${lines}; i++) log.info({ i }, 'line');`,
    `process.exit(0);`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  if (reader) child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  else {
    child.stdout.once('close', () => child.stdin.end('closed\n'));
    child.stdout.destroy(); // the supervisor is gone: every write to stdout fails with EPIPE
  }
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve) => {
    const started = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

describe('createLogger', () => {
  it('writes every line before an immediate process.exit', async () => {
    const r = await logAndExit(500, true);
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; component: string });
    expect(lines).toHaveLength(500);
    expect(lines.at(-1)).toMatchObject({ i: 499, component: 'test', level: 'info', msg: 'line' });
  });

  it('exits (code 0, no stack trace) when the reader of stdout is gone', async () => {
    const r = await logAndExit(20, false);
    expect(r.code, `stderr: ${r.err}`).toBe(0); // killed at 10 s (code null) when the exit flush spins
    expect(r.err).toBe('');
  });
});
