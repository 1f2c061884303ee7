// Writes the generated monitoring files next to this script (defaults, as committed), or with
// `--env FILE` prints that deployment's rule file (the groups of the PrometheusRule ./kustom.sh renders, for
// a Prometheus without the operator) to stdout:
//   npm run support:generate
//   npm run -s support:generate -- --env .env > pixelstream.rules.yaml
// Arguments are checked strictly: a mistyped `--env` must not fall through to rewriting the committed files
// while the caller redirects stdout into the values file it is about to install.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { configOrExit } from '../common/env-config.js';
import { kitEnv, loadKitConfig } from '../common/kit-config.js';
import { generatedFiles } from './generated-files.js';
import { prometheusRuleGroups } from './prometheus-rules.js';
import { monitoringOptionsFromKit } from './options.js';

const USAGE = 'usage: generate.ts [--env FILE]';
const here = path.dirname(fileURLToPath(import.meta.url));

let envFile: string | undefined;
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: { env: { type: 'string' } },
  });
  envFile = values.env;
} catch (err) {
  console.error(`support: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

if (envFile !== undefined) {
  if (!existsSync(envFile)) {
    console.error(`support: no such .env file: ${envFile}`);
    process.exit(2);
  }
  // The kit config: the .env file with the environment on top, checked as a whole like k8s/ and simulator/.
  const kit = configOrExit(() => loadKitConfig(kitEnv(envFile)), 'support');
  const groups = prometheusRuleGroups(monitoringOptionsFromKit(kit));
  process.stdout.write(stringify({ groups }, { lineWidth: 0 }));
} else {
  for (const [rel, content] of Object.entries(generatedFiles())) {
    const file = path.join(here, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote support/${rel}`);
  }
}
