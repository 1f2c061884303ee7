// `npm run synth`: .env + environment → checked kit config → manifests in dist/ (plus the kustomize
// overlay) → one summary line per kind. Config problems are listed together and exit 2.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../common/env-config.js';
import { kitEnv, loadKitConfig } from '../common/kit-config.js';
import { readManifests, summaryLines, synthesize, writeOverlay } from './synth.js';

const { values } = parseArgs({
  options: {
    'env-file': { type: 'string', default: '.env' },
    out: { type: 'string', default: 'dist' },
    'require-env-file': { type: 'boolean', default: false },
  },
});
const envFile = resolve(values['env-file']);
const outdir = resolve(values.out);

try {
  if (!existsSync(envFile)) {
    if (values['require-env-file']) throw new ConfigError([`${values['env-file']}: not found (copy .env.example to .env and edit it)`]);
    process.stderr.write(`synth: ${values['env-file']} not found; using defaults and the environment\n`);
  }
  const config = loadKitConfig(kitEnv(envFile));
  const file = synthesize(config, outdir);
  const objects = readManifests(file);
  writeOverlay(config, outdir, objects);
  for (const line of summaryLines(objects)) process.stdout.write(`${line}\n`);
  process.stdout.write(`wrote ${objects.length} objects to ${values.out}/ (kubectl kustomize ${values.out})\n`);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`synth: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
