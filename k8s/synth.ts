// Synthesis to files, and the two things written next to them: the per-kind summary and the kustomize
// overlay that kustom.sh hands to `kubectl kustomize`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigError } from '../common/env-config.js';
import type { KitConfig } from '../common/kit-config.js';
import { containerProblems } from './container-checks.js';
import { GPU_CHART_NAME, GpuSharingChart } from './gpu-sharing.js';
import { KitChart, gpuSharingProps } from './kit-chart.js';
import { manifestProblems } from './manifest-problems.js';
import { APP_NAME, PART_OF_LABEL } from './names.js';

/** File the chart is written to, inside the output directory. */
export const MANIFEST_FILE = `${APP_NAME}.k8s.yaml`;
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/** Node-side objects for GPU_SHARING / GPU_SCHEDULER_NAME (k8s/gpu-sharing.ts); not part of the overlay. */
export const GPU_MANIFEST_FILE = `${GPU_CHART_NAME}.k8s.yaml`;

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** The kit's objects for `config`, synthesized in memory (for checks that need the manifests). */
export function renderObjects(config: KitConfig): ManifestObject[] {
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new KitChart(app, config);
  return parseObjects(app.synthYaml(), 'synthesized manifests');
}

/**
 * Writes the manifests into `outdir` and returns the path of the YAML file. Throws ConfigError on bad
 * values, and when a container would not start with the env the manifests give it (nothing is left written).
 */
export function synthesize(config: KitConfig, outdir: string): string {
  const problems = manifestProblems(config);
  if (problems.length > 0) throw new ConfigError([], problems);
  mkdirSync(outdir, { recursive: true });
  rmSync(join(outdir, MANIFEST_FILE), { force: true });
  rmSync(join(outdir, GPU_MANIFEST_FILE), { force: true });
  const app = new App({
    outdir,
    outputFileExtension: '.k8s.yaml',
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  new KitChart(app, config);
  const gpu = gpuSharingProps(config);
  if (gpu !== undefined) new GpuSharingChart(app, gpu);
  app.synth();
  const file = join(outdir, MANIFEST_FILE);
  const unstartable = containerProblems(readManifests(file));
  if (unstartable.length > 0) {
    rmSync(file, { force: true });
    throw new ConfigError([], unstartable);
  }
  return file;
}

/** Parses a multi-document YAML file into objects; YAML errors are thrown, not skipped. */
export function readManifests(path: string): ManifestObject[] {
  return parseObjects(readFileSync(path, 'utf8'), path);
}

function parseObjects(text: string, path: string): ManifestObject[] {
  const docs = parseAllDocuments(text);
  return docs.flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as ManifestObject | null;
    return value === null ? [] : [value];
  });
}

/** One line per kind: count and names, sorted by kind. */
export function summaryLines(objects: ManifestObject[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const o of objects) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o.metadata.name]);
  const width = Math.max(...[...byKind.keys()].map((k) => k.length));
  return [...byKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([kind, names]) =>
        `${kind.padEnd(width)}  ${String(names.length).padStart(2)}  ${names.sort().join(', ')}`,
    );
}

/** The image references in the manifests, split into name and tag for kustomize's `images:`. */
function imagesOf(objects: ManifestObject[]): { name: string; newTag: string }[] {
  const refs = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) {
        if (k === 'image' && typeof child === 'string') refs.add(child);
        else walk(child);
      }
  };
  walk(objects);
  return [...refs].sort().map((ref) => {
    const at = ref.lastIndexOf(':');
    const slash = ref.lastIndexOf('/');
    return at > slash
      ? { name: ref.slice(0, at), newTag: ref.slice(at + 1) }
      : { name: ref, newTag: 'latest' };
  });
}

/**
 * Writes `kustomization.yaml` next to the manifests: images (one place to pin tags) and the labels every
 * object carries. `kubectl kustomize <outdir>` then prints the final manifests.
 */
export function writeOverlay(config: KitConfig, outdir: string, objects: ManifestObject[]): string {
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    // No `namespace:`: it would move every object into one namespace, TURN included (its own namespace
    // has the Pod Security level host networking needs). Every namespaced object already names its own.
    resources: [MANIFEST_FILE],
    images: imagesOf(objects),
    labels: [
      {
        pairs: {
          [PART_OF_LABEL]: APP_NAME,
          'app.kubernetes.io/instance': config.NAMESPACE,
          'app.kubernetes.io/managed-by': 'kustom.sh',
        },
        includeSelectors: false,
      },
    ],
  };
  const path = join(outdir, KUSTOMIZATION_FILE);
  writeFileSync(path, `# Generated by kustom.sh from .env; edit .env instead.\n${stringify(kustomization)}`);
  return path;
}
