// GPU_SHARING modes end to end through synthesis: for each mode the YAML on disk (the kit's file and the
// node-side file) is validated — Kubernetes objects with kubernetes-models, the device-plugin configuration
// and the scheduler profile with zod schemas written from NVIDIA's and Kubernetes' documented formats
// (strict: an unknown or misspelt field fails) — and the resource the pods request is the one the device
// plugin advertises for that mode.
// Modes: none, time-slicing:4, mig:1g.10gb (mixed) and mig:3g.40gb (single); bad values are all listed at once.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../common/env-config.js';
import { loadKitConfig } from '../common/kit-config.js';
import { tempDir } from '../test/support/temp-dir.js';
import {
  DEVICE_PLUGIN_CONFIG_KEY,
  PACKING_SCHEDULER_CONFIGMAP,
  SCHEDULER_CONFIG_FILE,
} from './gpu-sharing.js';
import { GPU_MANIFEST_FILE, readManifests, synthesize, type ManifestObject } from './synth.js';
import { all, container, find, podSpec } from './testing/manifests.js';
import { validate } from './testing/schemas.js';

const work = tempDir('k8s-gpu-sharing-');

/** NVIDIA k8s-device-plugin config file, version v1 (flags, resources, sharing.timeSlicing / sharing.mps). */
const timeSlicedResource = z
  .object({
    name: z.string().regex(/^nvidia\.com\/(gpu|mig-\d+g\.\d+gb)$/),
    rename: z.string().optional(),
    devices: z.union([z.literal('all'), z.number().int().positive(), z.array(z.string())]).optional(),
    replicas: z.number().int().min(2),
  })
  .strict();
const devicePluginConfigSchema = z
  .object({
    version: z.literal('v1'),
    flags: z
      .object({
        migStrategy: z.enum(['none', 'single', 'mixed']),
        failOnInitError: z.boolean().optional(),
        nvidiaDriverRoot: z.string().optional(),
        plugin: z.record(z.string(), z.unknown()).optional(),
        gfd: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    resources: z.record(z.string(), z.unknown()).optional(),
    sharing: z
      .object({
        timeSlicing: z
          .object({
            renameByDefault: z.boolean().optional(),
            failRequestsGreaterThanOne: z.boolean().optional(),
            resources: z.array(timeSlicedResource).min(1),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** KubeSchedulerConfiguration v1, the parts the packing profile uses. */
const pluginRef = z.object({ name: z.string().min(1), weight: z.number().int().optional() }).strict();
const schedulerConfigSchema = z
  .object({
    apiVersion: z.literal('kubescheduler.config.k8s.io/v1'),
    kind: z.literal('KubeSchedulerConfiguration'),
    leaderElection: z
      .object({ leaderElect: z.boolean(), resourceNamespace: z.string(), resourceName: z.string() })
      .strict(),
    profiles: z
      .array(
        z
          .object({
            schedulerName: z.string().min(1),
            plugins: z
              .object({
                score: z
                  .object({ enabled: z.array(pluginRef).optional(), disabled: z.array(pluginRef).optional() })
                  .strict(),
              })
              .strict(),
            pluginConfig: z.array(
              z
                .object({
                  name: z.literal('NodeResourcesFit'),
                  args: z
                    .object({
                      scoringStrategy: z
                        .object({
                          type: z.enum(['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio']),
                          resources: z
                            .array(
                              z
                                .object({ name: z.string(), weight: z.number().int().min(1).max(100) })
                                .strict(),
                            )
                            .min(1),
                        })
                        .strict(),
                    })
                    .strict(),
                })
                .strict(),
            ),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

interface Synth {
  kit: ManifestObject[];
  gpu: ManifestObject[] | undefined;
}

/** The one key .env.example says must be set: without it synthesis refuses (the sidecars would not start). */
const REQUIRED_ENV = { TURN_URLS: 'turn:turn.example.com:3478?transport=udp' };

function synth(name: string, env: Record<string, string>): Synth {
  const dir = join(work, name);
  const kit = readManifests(synthesize(loadKitConfig({ ...REQUIRED_ENV, ...env }), dir));
  const gpuFile = join(dir, GPU_MANIFEST_FILE);
  return { kit, gpu: existsSync(gpuFile) ? readManifests(gpuFile) : undefined };
}

function streamerLimits(s: Synth): Record<string, unknown> {
  return container(find(s.kit, 'Deployment', 'streamer'), 'streamer').resources?.limits ?? {};
}

/** A ConfigMap's entry as text (throws when it is missing). */
function entry(data: Record<string, string> | undefined, key: string): string {
  const text = data?.[key];
  if (text === undefined) throw new Error(`no ${key} in the ConfigMap`);
  return text;
}

/** Each mode: the resource the pods request, and the device plugin's MIG strategy and time-slicing replicas. */
const MODES = [
  { label: 'none', env: {}, resource: 'nvidia.com/gpu', plugin: undefined },
  {
    label: 'time-slicing:4',
    env: { GPU_SHARING: 'time-slicing:4' },
    resource: 'nvidia.com/gpu',
    plugin: { migStrategy: 'none', replicas: 4 },
  },
  {
    label: 'mig:1g.10gb (mixed)',
    env: { GPU_SHARING: 'mig:1g.10gb' },
    resource: 'nvidia.com/mig-1g.10gb',
    plugin: { migStrategy: 'mixed', replicas: undefined },
  },
  {
    label: 'mig:3g.40gb (single)',
    env: { GPU_SHARING: 'mig:3g.40gb', MIG_STRATEGY: 'single' },
    resource: 'nvidia.com/gpu',
    plugin: { migStrategy: 'single', replicas: undefined },
  },
] as const;

describe.each(MODES)('GPU_SHARING=$label', ({ label, env, resource, plugin }) => {
  const s = synth(label.replace(/[^a-z0-9]+/g, '-'), { ...env, GPU_SCHEDULER_NAME: 'pixelstream-packing' });

  it('every Kubernetes object on disk is valid against the official schemas', () => {
    for (const o of [...s.kit, ...(s.gpu ?? [])])
      expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });

  it('streamer pods request exactly the resource the device plugin advertises, as a quantity of 1', () => {
    const limits = streamerLimits(s);
    // The one GPU resource, beside the app's memory limit (STREAMER_MEMORY_LIMIT).
    expect(Object.keys(limits).filter((k) => k !== 'memory')).toEqual([resource]);
    expect(String(limits[resource])).toBe('1');
  });

  it('the device-plugin ConfigMap holds a valid v1 config under the kit key (or is absent for none)', () => {
    const cm = all(s.gpu ?? [], 'ConfigMap').find((o) => o.metadata?.namespace === 'gpu-operator');
    if (plugin === undefined) {
      expect(cm).toBeUndefined();
      return;
    }
    expect(cm?.metadata?.name).toBe('pixelstream-gpu-sharing');
    expect(Object.keys(cm?.data ?? {})).toEqual([DEVICE_PLUGIN_CONFIG_KEY]);
    const parsed: unknown = parse(entry(cm?.data, DEVICE_PLUGIN_CONFIG_KEY));
    expect(() => devicePluginConfigSchema.parse(parsed)).not.toThrow();
    // Exactly the mode's settings (the schema is strict: nothing else): time-slicing keeps the resource's
    // name (the pods' request does not change with the mode) and refuses a pod asking for two slices.
    const cfg = devicePluginConfigSchema.parse(parsed);
    expect(cfg.flags).toEqual({ migStrategy: plugin.migStrategy });
    expect(cfg.sharing).toEqual(
      plugin.replicas === undefined
        ? undefined
        : {
            timeSlicing: {
              renameByDefault: false,
              failRequestsGreaterThanOne: true,
              resources: [{ name: resource, replicas: plugin.replicas }],
            },
          },
    );
  });

  it('the packing scheduler profile scores the same resource with MostAllocated', () => {
    const cm = find(s.gpu ?? [], 'ConfigMap', PACKING_SCHEDULER_CONFIGMAP);
    expect(cm.metadata?.namespace).toBe('kube-system');
    const cfg = schedulerConfigSchema.parse(parse(entry(cm.data, SCHEDULER_CONFIG_FILE)));
    const profile = cfg.profiles[0]!;
    expect(profile.schedulerName).toBe('pixelstream-packing');
    const strategy = profile.pluginConfig[0]!.args.scoringStrategy;
    expect(strategy.type).toBe('MostAllocated');
    const gpuWeight = strategy.resources.find((r) => r.name === resource)?.weight ?? 0;
    for (const r of strategy.resources) if (r.name !== resource) expect(gpuWeight).toBeGreaterThan(r.weight);
    expect(podSpec(find(s.kit, 'Deployment', 'streamer')).schedulerName).toBe('pixelstream-packing');
  });

  it('pods prefer nodes that already run streamer pods (packing with the default scheduler too)', () => {
    const d = find(s.kit, 'Deployment', 'streamer');
    const [pref] = podSpec(d).affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(pref?.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(pref?.podAffinityTerm.labelSelector?.matchLabels).toEqual(d.spec?.selector.matchLabels);
  });

  it('node-side objects stay out of the kit file (the overlay would move them into NAMESPACE)', () => {
    for (const o of s.kit) expect(o.metadata.name).not.toBe(PACKING_SCHEDULER_CONFIGMAP);
  });
});

describe('GPU_SHARING configuration', () => {
  it('writes no node-side file for the defaults', () => {
    expect(synth('plain', {}).gpu).toBeUndefined();
    const dir = join(work, 'plain');
    expect(readFileSync(join(dir, 'pixelstream.k8s.yaml'), 'utf8')).not.toContain('schedulerName');
  });

  it('lists every bad sharing value at once', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadKitConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(
      problems({
        GPU_SHARING: 'time-slicing:1',
        MIG_STRATEGY: 'both',
        DEVICE_PLUGIN_NAMESPACE: 'GPU_Operator',
        GPU_SCHEDULER_NAME: 'Packing!',
      }),
    ).toEqual([
      'GPU_SHARING="time-slicing:1": time-slicing needs 2 to 48 replicas per GPU',
      'MIG_STRATEGY="both": must be one of single, mixed',
      'DEVICE_PLUGIN_NAMESPACE="GPU_Operator": must be a DNS-1123 label',
      'GPU_SCHEDULER_NAME="Packing!": must be a DNS-1123 name or empty',
    ]);
    expect(problems({ GPU_SHARING: 'mig:big' })).toEqual([
      'GPU_SHARING="mig:big": a MIG profile looks like 1g.10gb, 2g.20gb or 1g.10gb+me',
    ]);
    expect(problems({ GPU_SHARING: 'mps:2' })).toEqual([
      'GPU_SHARING="mps:2": must be none, time-slicing:N or mig:<profile>',
    ]);
    expect(problems({ GPU_SHARING: 'time-slicing:4', GPUS_PER_POD: '2' })).toEqual([
      'GPUS_PER_POD="2": must be 1 with GPU_SHARING=time-slicing:4 (a pod gets one share of one GPU)',
    ]);
  });
});
