// The manifests an operator gets: `.env.example` copied as is, with only the values it tells the operator
// to set replaced (the test's TURN URLs), rendered by ./kustom.sh exactly as documented.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/processes.js';
import { parseManifests } from './pod-spec.js';

/** `.env.example` with `KEY=value` lines replaced (or appended) for each entry of `set`. */
export function envFileFrom(example: string, set: Record<string, string>): string {
  const lines = example.split('\n');
  for (const [key, value] of Object.entries(set)) {
    const i = lines.findIndex((l) => l.startsWith(`${key}=`));
    if (i >= 0) lines[i] = `${key}=${value}`;
    else lines.push(`${key}=${value}`);
  }
  return lines.join('\n');
}

/** Runs ./kustom.sh on `.env.example` plus `set`; returns every rendered object. */
export function renderManifests(set: Record<string, string>): Array<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kustom-'));
  try {
    const envFile = path.join(dir, '.env');
    writeFileSync(envFile, envFileFrom(readFileSync(path.join(repoRoot, '.env.example'), 'utf8'), set));
    const r = spawnSync(path.join(repoRoot, 'kustom.sh'), [], {
      cwd: repoRoot,
      env: { ...process.env, KIT_ENV_FILE: envFile, KIT_OUT_DIR: path.join(dir, 'dist') },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`kustom.sh failed (${String(r.status)}):\n${r.stderr}`);
    return parseManifests(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
