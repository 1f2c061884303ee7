// Writes the generated monitoring files next to this script (defaults, as committed), or with
// `--env FILE` prints prometheus-adapter values for that deployment's STREAM_BUFFER to stdout:
//   npm run support:generate
//   npm run -s support:generate -- --env .env > adapter.values.yaml
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv as parseDotEnv } from 'node:util';
import { stringify } from 'yaml';
import { configOrExit, envInt, parseEnv } from '../common/env-config.js';
import { adapterValues, generatedFiles } from './generated-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const envAt = args.indexOf('--env');

if (envAt >= 0) {
  const file = args[envAt + 1];
  if (!file) {
    console.error('usage: generate.ts [--env FILE]');
    process.exit(2);
  }
  const env = { ...parseDotEnv(readFileSync(file, 'utf8')), ...pick(process.env, 'STREAM_BUFFER') };
  const cfg = configOrExit(() => parseEnv({ STREAM_BUFFER: envInt(1, 0, 1000) }, env), 'support');
  process.stdout.write(stringify(adapterValues({ buffer: cfg.STREAM_BUFFER }), { lineWidth: 0 }));
} else {
  for (const [rel, content] of Object.entries(generatedFiles())) {
    const file = path.join(here, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote support/${rel}`);
  }
}

function pick(env: NodeJS.ProcessEnv, key: string): Record<string, string> {
  const v = env[key];
  return v === undefined ? {} : { [key]: v };
}
