// The command line as a user meets it: argument checking, exit codes, the report and --apply writing .env.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from './cli.js';
import { runCli } from './test-support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli(args);

describe('arguments', () => {
  it('lists every bad argument at once', () => {
    let problems: string[] = [];
    try {
      parseCli(['--pattern', 'spiky', '--hours=-1', '--seed', '1.5', '--deletion-order', 'random']);
    } catch (err) {
      expect((err as { code: string }).code).toBe('SIM_USAGE');
      problems = (err as { problems: string[] }).problems;
    }
    for (const option of ['--pattern', '--hours', '--seed', '--deletion-order'])
      expect(problems.join('\n')).toContain(option);
  });
  it('refuses a generated workload too large to hold in memory, naming the bound', () => {
    expect(() => parseCli(['--pattern', 'poisson', '--rate', '80000', '--hours', '24'])).not.toThrow();
    try {
      parseCli(['--pattern', 'smse', '--rate', '1000000']);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('SIM_USAGE');
      expect((err as { problems: string[] }).problems).toEqual([
        "--rate × --hours: up to 48,000,000 arrivals at the smse pattern's peak; one run holds at most 2,000,000 (lower --rate or --hours)",
      ]);
    }
    // A trace brings its own arrivals: the bound is for generated workloads only.
    expect(() => parseCli(['--trace', 'x.csv', '--rate', '1000000'])).not.toThrow();
  });
  it('unknown options and bad values exit 2 with the code and the usage', () => {
    const r = cli('--bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SIM_USAGE/);
    expect(r.stderr).toMatch(/usage: npm run simulate/);
  });
  it('a bad .env exits 2 listing its problems', () => {
    const env = path.join(dir, 'bad.env');
    writeFileSync(env, 'HPA_MIN_REPLICAS=5\nHPA_MAX_REPLICAS=2\nSTREAM_BUFFER=x\n');
    const r = cli('--env', env, '--hours', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CONFIG_INVALID/);
    expect(r.stderr).toMatch(/STREAM_BUFFER/);
  });
  it('a bad .env, policy file and trace are reported together, each with its code', () => {
    const env = path.join(dir, 'bad-too.env');
    const config = path.join(dir, 'bad.yaml');
    const trace = path.join(dir, 'bad.csv');
    writeFileSync(env, 'STREAM_BUFFER=x\n');
    writeFileSync(config, 'policies:\n  - name: p\n    metrics: []\n');
    writeFileSync(trace, '10,30\n20,-1\n');
    const r = cli('--env', env, '--config', config, '--trace', trace);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^simulate: CONFIG_INVALID: .*STREAM_BUFFER/ms);
    expect(r.stderr).toMatch(/^simulate: SIM_POLICY_INVALID: /m);
    expect(r.stderr).toMatch(/^simulate: SIM_TRACE_INVALID: .*bad\.csv:2:/ms);
  });
  it('an --env that is a directory and an --out that is a file exit 2 with coded lines, not a stack trace', () => {
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const r = cli('--env', dir, '--out', blocker, '--hours', '1', '--policies', 'buffer-1');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^simulate: CONFIG_INVALID: cannot read .*\n {2}- EISDIR$/m);
    expect(r.stderr).toMatch(
      /^simulate: SIM_OUTPUT_FAILED: cannot write .*not-a-dir:\n {2}- E(EXIST|NOTDIR)$/m,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a run', () => {
  it('prints the table, writes the HTML report and applies the chosen policy to .env', () => {
    const env = path.join(dir, '.env');
    writeFileSync(env, '# tuned by hand\nHPA_MAX_REPLICAS=8\nSTREAM_BUFFER=1\n');
    const out = path.join(dir, 'out');
    const r = cli(
      '--env',
      env,
      '--out',
      out,
      '--hours',
      '2',
      '--rate',
      '30',
      '--policies',
      'original,buffer-2',
      '--apply',
      'buffer-2+balloon-1+prepull',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^original\s+\d+/m);
    expect(r.stdout).toMatch(/^buffer-2\s+\d+/m);
    const html = readFileSync(path.join(out, 'simulation.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*>.*<polyline/s);
    // Every knob the policy needs, node-level cuts included, lands in .env (and so in the manifests).
    expect(r.stdout).toMatch(/^buffer-2\+balloon-1\+prepull\s+\d+/m);
    expect(readFileSync(env, 'utf8')).toBe(
      '# tuned by hand\nHPA_MAX_REPLICAS=8\nSTREAM_BUFFER=2\nHPA_METRIC=demand\nHPA_TARGET=1\n' +
        'STREAM_BUFFER_MODE=fixed\nBALLOON_PODS=1\nPREPULL_IMAGES=true\n',
    );
  });
  it('refuses to apply a policy the kit cannot deploy, leaving .env alone', () => {
    const env = path.join(dir, 'keep.env');
    writeFileSync(env, 'STREAM_BUFFER=1\n');
    const r = cli(
      '--env',
      env,
      '--out',
      path.join(dir, 'o2'),
      '--hours',
      '1',
      '--policies',
      'original',
      '--apply',
      'original',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SIM_APPLY_UNSUPPORTED/);
    expect(readFileSync(env, 'utf8')).toBe('STREAM_BUFFER=1\n');
    expect(existsSync(path.join(dir, 'o2', 'simulation.html'))).toBe(true);
  });
});
