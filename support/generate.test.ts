// `support:generate --env FILE` reads the deployment's kit config (the .env file, the environment on top)
// and prints its rule groups, where STREAM_BUFFER becomes the recorded buffer the demand adds; a bad config
// stops it listing the problem.
// Also: the environment's STREAM_BUFFER wins over the file's, `--env=FILE` works too, and an unknown option
// or stray argument exits 2 with the usage instead of rewriting the committed files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../test/support/processes.js';
import { CAPACITY_RECORDED } from './capacity-rules.js';
import { prometheusRuleGroups, type RuleGroup } from './prometheus-rules.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pixelstream-generate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function generate(
  dotEnv: string,
  env: Record<string, string> = {},
  args = (file: string) => ['--env', file],
) {
  const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.env`);
  writeFileSync(file, dotEnv);
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('STREAM_BUFFER')),
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'support/generate.ts', ...args(file)], {
    cwd: repoRoot,
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bufferRule = (stdout: string) =>
  (parse(stdout) as { groups: RuleGroup[] }).groups
    .flatMap((g) => g.rules)
    .find((r) => 'record' in r && r.record === CAPACITY_RECORDED.buffer)?.expr;

describe('support:generate --env', () => {
  it("records the .env file's STREAM_BUFFER for its namespace's streamer Service", () => {
    const r = generate('# a deployment\nSTREAM_BUFFER=3\nSTREAM_BUFFER_MODE=fixed\nNAMESPACE=games\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const groups = prometheusRuleGroups({ buffer: 3, bufferMode: 'fixed', namespace: 'games' });
    expect(r.stdout).toBe(stringify({ groups }, { lineWidth: 0 }));
    expect(bufferRule(r.stdout)).toBe(
      'label_replace(label_replace(vector(3), "namespace", "games", "", ""), "service", "streamer", "", "")',
    );
  });

  it('lets the environment override the file, as every reader of the kit config does', () => {
    const r = generate('STREAM_BUFFER=3\nSTREAM_BUFFER_MODE=fixed\n', { STREAM_BUFFER: '7' });
    expect(r.status).toBe(0);
    expect(bufferRule(r.stdout)).toContain('vector(7)');
  });

  it('checks the whole kit config: a bad STREAM_BUFFER and a bad neighbour are both listed, exit 2', () => {
    const r = generate('STREAM_BUFFER=-1\nHPA_MIN_REPLICAS=many\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('STREAM_BUFFER');
    expect(r.stderr).toContain('HPA_MIN_REPLICAS');
  });

  it('takes --env=FILE as well as --env FILE', () => {
    const r = generate('STREAM_BUFFER=4\nSTREAM_BUFFER_MODE=fixed\n', {}, (file) => [`--env=${file}`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(bufferRule(r.stdout)).toContain('vector(4)');
  });

  it.each([
    ['a mistyped option', (file: string) => ['--evn', file]],
    ['a stray argument', (file: string) => [file]],
    ['--env without a file', () => ['--env']],
  ])('refuses %s with exit 2 instead of rewriting the committed files', (_what, args) => {
    const r = generate('STREAM_BUFFER=3\n', {}, args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('usage: generate.ts [--env FILE]');
  });
});
