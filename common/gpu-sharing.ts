// How streamer pods share GPUs: the `GPU_SHARING` setting, the extended resource each pod requests under it,
// and the NVIDIA device-plugin configuration that makes the node advertise that resource. The manifests, the
// simulator (streams per GPU) and the docs read it from here, so the request and the node's offer agree.

/** The MIG strategies of the NVIDIA device plugin (`flags.migStrategy`) the kit supports. */
export const MIG_STRATEGIES = ['single', 'mixed'] as const;
export type MigStrategy = (typeof MIG_STRATEGIES)[number];

export type GpuSharing =
  | { readonly mode: 'none' }
  /** The device plugin advertises `replicas` schedulable copies of each GPU; pods interleave on it. */
  | { readonly mode: 'time-slicing'; readonly replicas: number }
  /** Each GPU is partitioned into MIG instances of `profile` (e.g. `1g.10gb`); one pod gets one instance. */
  | { readonly mode: 'mig'; readonly profile: string };

/** Largest time-slicing replica count accepted: more pods per GPU than this is a typo, not a plan. */
export const MAX_TIME_SLICING_REPLICAS = 48;

/** A MIG profile as the device plugin names resources: `<slices>g.<memory>gb`, optionally `+me` (media engines). */
const MIG_PROFILE = /^[1-8]g\.\d{1,3}gb(\+me)?$/;

/** The extended resource of a whole GPU (and of time-sliced replicas, which keep the name). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * Parses `none`, `time-slicing:N` (2 ≤ N ≤ 48) or `mig:<profile>`. Returns the setting or a problem line
 * naming the key and the accepted forms.
 */
/**
 * Parses GPU_SHARING; a refusal carries `rule` (what is wrong, in words) and `problem` (the same line naming
 * the key and value).
 */
export function parseGpuSharing(text: string): GpuSharing | { problem: string; rule: string } {
  const value = text.trim();
  const refuse = (rule: string) => ({ problem: `GPU_SHARING=${JSON.stringify(value)}: ${rule}`, rule });
  if (value === '' || value === 'none') return { mode: 'none' };
  const ts = /^time-slicing:(\d+)$/.exec(value);
  if (ts !== null) {
    const replicas = Number(ts[1]);
    if (replicas >= 2 && replicas <= MAX_TIME_SLICING_REPLICAS) return { mode: 'time-slicing', replicas };
    return refuse(`time-slicing needs 2 to ${MAX_TIME_SLICING_REPLICAS} replicas per GPU`);
  }
  const mig = /^mig:(.+)$/.exec(value);
  if (mig !== null) {
    const profile = mig[1] ?? '';
    if (MIG_PROFILE.test(profile)) return { mode: 'mig', profile };
    return refuse('a MIG profile looks like 1g.10gb, 2g.20gb or 1g.10gb+me');
  }
  return refuse('must be none, time-slicing:N or mig:<profile>');
}

/** The setting back in `.env` form. */
export function formatGpuSharing(s: GpuSharing): string {
  if (s.mode === 'time-slicing') return `time-slicing:${s.replicas}`;
  if (s.mode === 'mig') return `mig:${s.profile}`;
  return 'none';
}

/**
 * The extended resource a streamer pod requests. Time-slicing keeps `nvidia.com/gpu` (renameByDefault
 * false); MIG with the `mixed` strategy names each profile (`nvidia.com/mig-1g.10gb`), with `single` every
 * instance on the node is advertised as `nvidia.com/gpu`.
 */
export function gpuResourceName(s: GpuSharing, strategy: MigStrategy): string {
  return s.mode === 'mig' && strategy === 'mixed' ? `nvidia.com/mig-${s.profile}` : GPU_RESOURCE;
}

/** Streams one physical GPU carries; undefined for MIG (it depends on the GPU model's profile table). */
export function streamsPerGpu(s: GpuSharing): number | undefined {
  if (s.mode === 'time-slicing') return s.replicas;
  if (s.mode === 'mig') return undefined;
  return 1;
}

/** The NVIDIA device plugin's configuration file (config version v1), as the plugin and GFD read it. */
export interface DevicePluginConfig {
  version: 'v1';
  flags: { migStrategy: 'none' | MigStrategy };
  sharing?: {
    timeSlicing: {
      renameByDefault: boolean;
      failRequestsGreaterThanOne: boolean;
      resources: { name: string; replicas: number }[];
    };
  };
}

/**
 * The device-plugin configuration for a sharing mode; undefined for `none` (the plugin's defaults fit).
 * Time-slicing: the resource keeps its name, so the pod spec does not change with the mode, and a pod asking
 * for more than one replica is refused — two replicas of one GPU are not more GPU, only a bigger share of
 * the time-slices.
 */
export function devicePluginConfig(s: GpuSharing, strategy: MigStrategy): DevicePluginConfig | undefined {
  if (s.mode === 'none') return undefined;
  if (s.mode === 'mig') return { version: 'v1', flags: { migStrategy: strategy } };
  return {
    version: 'v1',
    flags: { migStrategy: 'none' },
    sharing: {
      timeSlicing: {
        renameByDefault: false,
        failRequestsGreaterThanOne: true,
        resources: [{ name: GPU_RESOURCE, replicas: s.replicas }],
      },
    },
  };
}

/** The MIG manager's named configuration that partitions every GPU of a node into `profile` instances. */
export function migConfigLabelValue(profile: string): string {
  return `all-${profile}`;
}
