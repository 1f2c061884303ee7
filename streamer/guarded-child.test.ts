// The encoder watchdog on real child processes: stop(), exit codes, the piped mode's limits, and a
// SIGKILLed parent leaving no orphan encoder.
import { describe, expect, it, vi } from 'vitest';
import { startNode, isAlive, childPids } from '../test/support/processes.js';
import { spawnGuarded } from './guarded-child.js';

/** Whether `pred` comes true within `ms` (polled by vi.waitFor). */
const settle = (pred: () => boolean, ms = 5_000): Promise<boolean> =>
  vi
    .waitFor(() => (pred() ? true : Promise.reject(new Error('not yet'))), { timeout: ms, interval: 50 })
    .catch(() => false);

describe('spawnGuarded', () => {
  it('stop() ends the command and its watchdog', async () => {
    const c = spawnGuarded('sleep', ['300']);
    await settle(() => childPids(c.pid).length >= 2);
    const kids = childPids(c.pid);
    expect(await c.stop(1_000)).toBeGreaterThan(0);
    expect(await settle(() => ![c.pid, ...kids].some(isAlive))).toBe(true);
  });

  it('reports the exit code of a command that ends by itself', async () => {
    const c = spawnGuarded('sh', ['-c', 'exit 7']);
    expect(await c.exited).toBe(7);
  });

  it('piped: the command talks on stdin, stdout and fd 3, under its address-space and nice limits', async () => {
    const c = spawnGuarded(
      'sh',
      ['-c', 'ulimit -v; nice; tr a-z A-Z; echo result >&3; exit 3'],
      process.env,
      {
        piped: true,
        limits: { addressSpaceKib: 512_000, nice: 7 },
      },
    );
    const read = (s: NodeJS.ReadableStream) => {
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      return () => text;
    };
    const out = read(c.io!.stdout);
    const side = read(c.io!.side);
    c.io!.stdin.end('frames\n');
    expect(await c.exited).toBe(3);
    expect(out().split('\n')).toEqual(['512000', '7', 'FRAMES', '']);
    expect(side()).toBe('result\n');
  });

  it('kills the command when its parent is SIGKILLed (no orphan encoder)', async () => {
    const host = startNode('streamer/testing/guard-host.ts');
    const line = await host.waitFor((l) => l.msg === 'guarded');
    const watchdog = Number(line.pid);
    await settle(() => childPids(watchdog).length >= 2);
    const kids = childPids(watchdog);
    expect(kids.every(isAlive)).toBe(true);
    await host.stop('SIGKILL');
    expect(await settle(() => ![watchdog, ...kids].some(isAlive))).toBe(true);
  });
});
