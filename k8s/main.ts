// `npm run synth`: .env + environment → checked kit config → manifests in dist/ (plus the kustomize
// overlay) → one summary line per kind. Config problems are listed together and exit 2.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, type ConfigItem } from '../common/env-config.js';
import {
  KIT_CONFIG_KEYS,
  loadKitConfig,
  mergeKitEnv,
  readDotEnv,
  type KitConfig,
} from '../common/kit-config.js';
import { manifestProblems, manifestWarnings } from './manifest-problems.js';
import { containerProblems } from './container-checks.js';
import {
  GPU_MANIFEST_FILE,
  readManifests,
  renderObjects,
  summaryLines,
  synthesize,
  writeOverlay,
} from './synth.js';

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
    if (values['require-env-file'])
      throw new ConfigError([
        {
          key: '--env-file',
          value: values['env-file'],
          rule: 'not found (copy .env.example to .env and edit it)',
        },
      ]);
    process.stderr.write(`synth: ${values['env-file']} not found; using defaults and the environment\n`);
  }
  const config = checkedConfig(envFile);
  for (const warning of manifestWarnings(config)) process.stderr.write(`synth: warning: ${warning}\n`);
  const file = synthesize(config, outdir);
  const objects = readManifests(file);
  writeOverlay(config, outdir, objects);
  for (const line of summaryLines(objects)) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `wrote ${objects.length} objects to ${values.out}/ (kubectl kustomize ${values.out})\n`,
  );
  if (existsSync(resolve(outdir, GPU_MANIFEST_FILE)))
    process.stdout.write(
      `wrote the GPU node configuration to ${values.out}/${GPU_MANIFEST_FILE} (cluster admin: kubectl apply -f it; see k8s/README.md "Sharing GPUs")\n`,
    );
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`synth: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

/**
 * The kit config, with misspelt keys in the .env file, values a cluster must not get (manifestProblems) and
 * containers that would exit at start (containerProblems) reported alongside every other problem.
 */
function checkedConfig(path: string): KitConfig {
  const known = new Set<string>(KIT_CONFIG_KEYS);
  const dotEnv = existsSync(path) ? readDotEnv(path) : {};
  const unknown: ConfigItem[] = Object.entries(dotEnv)
    .filter(([key]) => !known.has(key))
    // Its value is never shown: a misspelt key may well hold a secret (ROUTR_TOKEN=…).
    .map(([key]): ConfigItem => ({
      key,
      hidden: true,
      rule: 'not a kit setting (misspelt? see .env.example)',
    }));
  const env = mergeKitEnv(dotEnv);
  const items: ConfigItem[] = [];
  let config: KitConfig | undefined;
  try {
    config = loadKitConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    items.push(...err.items);
    // The keys that passed still get the cluster-level checks below.
    const bad = new Set(err.items.map((item) => item.key));
    try {
      config = loadKitConfig(Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k))));
    } catch {
      config = undefined;
    }
  }
  const notes: string[] = [];
  if (config !== undefined) {
    notes.push(...manifestProblems(config));
    // Whether every container would start with the env its manifest gives it (each component's own checker).
    if (notes.length === 0) notes.push(...containerProblems(renderObjects(config)));
  }
  items.push(...unknown);
  if (items.length > 0 || notes.length > 0 || config === undefined) throw new ConfigError(items, notes);
  return config;
}
