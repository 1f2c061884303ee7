import { describe, expect, it } from 'vitest';
import { startNode, isAlive, childPids } from '../test/support/processes.js';
import { spawnGuarded } from './guarded-child.js';

const settle = async (pred: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end && !pred()) await new Promise((r) => setTimeout(r, 50));
  return pred();
};

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
