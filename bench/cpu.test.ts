// The benchmarks' CPU readers on real processes: a child that spins until it has used a known amount of CPU
// is read as having used at least that much, even with parentheses and spaces in its command name, and
// pin() confines every thread of a process to the CPUs it names.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { track, type RunningProcess } from '../test/support/processes.js';
import { cpuSeconds, pin } from './cpu.js';

const started: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});

/**
 * A node child named `title` that spins until it has used `spinMs` of CPU (its own count, so a busy machine
 * only makes it take longer), then says `spun` and idles.
 */
function spinner(title: string, spinMs: number): RunningProcess {
  const script = `
    process.title = ${JSON.stringify(title)};
    const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    while (cpuMs() < ${spinMs});
    console.log(JSON.stringify({ msg: 'spun' }));
    setInterval(() => {}, 1000);
  `;
  const proc = track(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
  started.push(proc);
  return proc;
}

describe('cpuSeconds', () => {
  it('counts the CPU a process spent, with ") (" in its command name', async () => {
    const proc = spinner('spin) (x y', 600);
    await proc.waitFor((l) => l.msg === 'spun', 15_000);
    expect(readFileSync(`/proc/${proc.pid}/stat`, 'utf8')).toContain('(spin) (x y)');
    const used = cpuSeconds(proc.pid);
    // It spun until it had used 600 ms of CPU by its own count (start-up included); /proc counts in 10 ms
    // ticks, and node's helper threads add a little.
    expect(used).toBeGreaterThanOrEqual(0.58);
    expect(used).toBeLessThan(5);
    // Idle now: the count stays where it was.
    await new Promise((r) => setTimeout(r, 300));
    expect(cpuSeconds(proc.pid) - used).toBeLessThan(0.1);
  });
});

describe('pin', () => {
  it('confines every thread of a process to the CPUs named', async () => {
    const proc = spinner('pinned', 0);
    await proc.waitFor((l) => l.msg === 'spun', 15_000);
    pin(proc.pid, '0');
    const threads = readdirSync(`/proc/${proc.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) {
      const status = readFileSync(`/proc/${proc.pid}/task/${tid}/status`, 'utf8');
      expect(/^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1]).toBe('0');
    }
  });

  it('throws, naming the CPU list and the process, when taskset refuses', async () => {
    const proc = spinner('unpinned', 0);
    await proc.waitFor((l) => l.msg === 'spun', 15_000);
    expect(() => pin(proc.pid, 'no-such-cpu')).toThrow(`taskset no-such-cpu ${proc.pid}: `);
  });
});
