// `npm run simulate -- --streams-per-gpu …` as a user runs it: the comparison table after the policy table,
// the kit's GPU_SHARING as the model's streams per GPU, and bad values refused with the usage code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from './cli.js';
import { runCli } from './test-support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sim-sharing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli(args, 60_000);

describe('--streams-per-gpu', () => {
  it('refuses values outside 1–48 and a negative slow-down, all at once', () => {
    try {
      parseCli(['--streams-per-gpu', '4,0,x', '--co-tenant-slowdown=-1']);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('SIM_USAGE');
      expect((err as { problems: string[] }).problems).toEqual([
        '--streams-per-gpu "0": each value must be an integer between 1 and 48',
        '--streams-per-gpu "x": each value must be an integer between 1 and 48',
        '--co-tenant-slowdown "-1": must be a number between 0 and 10',
      ]);
    }
  });

  it('prints each policy at 1 and N streams per GPU with the hours saved, on the kit GPU_SHARING', () => {
    const env = path.join(dir, 'shared.env');
    writeFileSync(env, 'GPU_SHARING=time-slicing:4\nHPA_MAX_REPLICAS=40\n');
    const r = cli(
      ...['--env', env, '--out', path.join(dir, 'out'), '--pattern', 'poisson', '--rate', '30'],
      ...['--hours', '2', '--policies', 'buffer-1,buffer-3', '--streams-per-gpu', '2,4'],
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('GPU sharing: 4 stream(s) per GPU, pack, slow-down 0.1 per co-tenant stream');
    const table = r.stdout.slice(r.stdout.indexOf('Streams per GPU'));
    const rows = table.split('\n').filter((l) => /^buffer-\d /.test(l));
    expect(rows.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'buffer-1 1',
      'buffer-1 2',
      'buffer-1 4',
      'buffer-3 1',
      'buffer-3 2',
      'buffer-3 4',
    ]);
    // The HTML report carries the same table.
    const html = readFileSync(path.join(dir, 'out', 'simulation.html'), 'utf8');
    expect(html).toContain('<h2>Streams per GPU (same trace and seed; saved = against 1 per GPU)</h2><pre>');
    expect(html).toMatch(/<pre>policy +streams\/GPU/);
    // node GPU-h falls as streams per GPU rise; "saved" is positive for N > 1.
    for (const policy of ['buffer-1', 'buffer-3']) {
      const cells = rows.filter((l) => l.startsWith(`${policy} `)).map((l) => l.split(/\s+/));
      const nodeGpuHours = cells.map((c) => Number(c[4]));
      expect(nodeGpuHours[1]).toBeLessThan(nodeGpuHours[0]!);
      expect(nodeGpuHours[2]).toBeLessThan(nodeGpuHours[1]!);
      expect(Number(cells[2]![5])).toBeGreaterThan(0);
    }
  });
});
