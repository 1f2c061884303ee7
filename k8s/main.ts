// `npm run synth`: .env + environment → checked kit config → manifests in dist/ (plus the kustomize
// overlay) → one summary line per kind. Config problems are listed together and exit 2.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../common/env-config.js';
import { KIT_CONFIG_KEYS, kitEnv, loadKitConfig, readDotEnv, type KitConfig } from '../common/kit-config.js';
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
      throw new ConfigError([`${values['env-file']}: not found (copy .env.example to .env and edit it)`]);
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
  const unknown = existsSync(path) ? Object.keys(readDotEnv(path)).filter((k) => !known.has(k)) : [];
  const problems = unknown.map((k) => `${k}: not a kit setting (misspelt? see .env.example)`);
  const env = kitEnv(path);
  let config: KitConfig | undefined;
  try {
    config = loadKitConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.unshift(...err.problems);
    // The keys that passed still get the cluster-level checks below.
    const bad = new Set(err.problems.map((p) => p.split(/[=: ]/, 1)[0]));
    try {
      config = loadKitConfig(Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k))));
    } catch {
      config = undefined;
    }
  }
  if (config !== undefined) {
    const clusterProblems = manifestProblems(config);
    problems.push(...clusterProblems);
    // Whether every container would start with the env its manifest gives it (each component's own checker).
    if (clusterProblems.length === 0) problems.push(...containerProblems(renderObjects(config)));
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}
