// Writes the generated monitoring files next to this script (defaults, as committed), or with
// `--env FILE` prints prometheus-adapter values for that deployment's STREAM_BUFFER to stdout:
//   npm run support:generate
//   npm run -s support:generate -- --env .env > adapter.values.yaml
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { configOrExit } from '../common/env-config.js';
import { kitEnv, loadKitConfig } from '../common/kit-config.js';
import { adapterValues, generatedFiles } from './generated-files.js';
import { monitoringOptionsFromKit } from './options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const envAt = args.indexOf('--env');

if (envAt >= 0) {
  const file = args[envAt + 1];
  if (!file) {
    console.error('usage: generate.ts [--env FILE]');
    process.exit(2);
  }
  if (!existsSync(file)) {
    console.error(`support: no such .env file: ${file}`);
    process.exit(2);
  }
  // The kit config: the .env file with the environment on top, checked as a whole like k8s/ and simulator/.
  const kit = configOrExit(() => loadKitConfig(kitEnv(file)), 'support');
  process.stdout.write(stringify(adapterValues(monitoringOptionsFromKit(kit)), { lineWidth: 0 }));
} else {
  for (const [rel, content] of Object.entries(generatedFiles())) {
    const file = path.join(here, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote support/${rel}`);
  }
}
