// The policies compared side by side: the kit as configured in .env, the original OKE kit's, fixed and
// adaptive warm buffers on pixelstream_demand, each optionally with the node-level cold-start cuts
// (balloon pods, image pre-pull), and user-described ones (see policy-file.ts).
//
// Names: `original`, `configured`, `buffer` (STREAM_BUFFER), `buffer-N`, `adaptive` (bounds from .env), each
// of the last three optionally followed by `+balloon-K` and/or `+prepull`, e.g. `adaptive+balloon-1+prepull`.
import { kitHpaBehavior, type HpaBehaviorSettings } from '../common/hpa-behavior.js';
import { ADAPTER } from '../common/metric-names.js';
import type { KitConfig } from '../common/kit-config.js';
import { parsePrewarmSchedule, type PrewarmWindow } from '../common/prewarm-schedule.js';
import { SIM_ERRORS, SimError } from './errors.js';
import type { Behavior, HpaMetric, HpaSpec } from './hpa-types.js';
import { kitDemand, type BufferSpec } from './kit-demand.js';
import { adapterMetric } from './metrics-path.js';
import type { ObjectContext, Policy, WarmNodes } from './policy.js';

/** The kit settings the built-in policies read: the deployed behavior's plus the metric and warm capacity. */
export type KitHpaSettings = HpaBehaviorSettings &
  Pick<
    KitConfig,
    | 'HPA_MIN_REPLICAS'
    | 'HPA_MAX_REPLICAS'
    | 'HPA_METRIC'
    | 'HPA_TARGET'
    | 'STREAM_BUFFER'
    | 'STREAM_BUFFER_MODE'
    | 'STREAM_BUFFER_MIN'
    | 'STREAM_BUFFER_MAX'
    | 'BALLOON_PODS'
    | 'PREPULL_IMAGES'
    | 'PREWARM_SCHEDULE'
  >;

/** The behavior of the original OKE kit's stream HPA (deploy/base/streaming/stream-hpa.yaml). */
export const ORIGINAL_BEHAVIOR: Behavior = {
  scaleDown: { stabilizationWindowSeconds: 30 },
  scaleUp: {
    stabilizationWindowSeconds: 0,
    policies: [
      { type: 'Pods', value: 2, periodSeconds: 15 },
      { type: 'Percent', value: 10, periodSeconds: 15 },
    ],
  },
};

const METRIC_OF = {
  demand: ADAPTER.demand,
  ratio: ADAPTER.poolRatio,
  available: ADAPTER.availableCount,
} as const;
/** How the manifests target each metric (k8s/autoscaling.ts); `available` is refused there and simulated
 *  here as a Value target only to show why. */
const TARGET_TYPE = { demand: 'AverageValue', ratio: 'Value', available: 'Value' } as const;

function schedule(c: KitHpaSettings): readonly PrewarmWindow[] {
  const w = parsePrewarmSchedule(c.PREWARM_SCHEDULE);
  return 'problems' in w ? [] : w; // loadKitConfig has refused a bad schedule already
}

/** The HPA on one adapter metric; demand is computed as the kit's rules make it (buffer and schedule). */
function kitPolicy(
  name: string,
  description: string,
  hpa: HpaSpec,
  spec: BufferSpec,
  warm: WarmNodes,
  apply: Policy['apply'],
): Policy {
  return {
    name,
    description,
    hpa,
    objectValue: (metric: string, ctx: ObjectContext) =>
      metric === ADAPTER.demand ? kitDemand(spec, ctx) : adapterMetric(metric, ctx.snapshot, 0),
    podValue: () => undefined,
    warm,
    apply,
  };
}

const describeWarm = (w: WarmNodes) =>
  [w.balloons > 0 ? `${w.balloons} balloon pod(s)` : '', w.prepull ? 'image pre-pull' : '']
    .filter(Boolean)
    .join(', ');

function bufferText(spec: BufferSpec): string {
  const b =
    spec.mode === 'fixed'
      ? `buffer ${spec.buffer}`
      : `adaptive buffer ⌈λ × max(T_pod, T_node)⌉ in [${spec.min}, ${spec.max}]`;
  return spec.schedule.length > 0 ? `${b}, ${spec.schedule.length} pre-warm window(s)` : b;
}

/** The kit's configured deployment, exactly as .env describes it. */
export function configuredPolicy(c: KitHpaSettings): Policy {
  const metric: HpaMetric = {
    source: 'Object',
    name: METRIC_OF[c.HPA_METRIC],
    target: { type: TARGET_TYPE[c.HPA_METRIC], value: c.HPA_TARGET },
  };
  const spec: BufferSpec = {
    mode: c.STREAM_BUFFER_MODE,
    buffer: c.STREAM_BUFFER,
    min: c.STREAM_BUFFER_MIN,
    max: c.STREAM_BUFFER_MAX,
    schedule: schedule(c),
  };
  const warm = { balloons: c.BALLOON_PODS, prepull: c.PREPULL_IMAGES };
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [metric],
    behavior: kitHpaBehavior(c),
  };
  const extra = describeWarm(warm);
  return kitPolicy(
    'configured',
    `.env: ${c.HPA_METRIC} target ${c.HPA_TARGET}, ${bufferText(spec)}${extra ? `, ${extra}` : ''}`,
    hpa,
    spec,
    warm,
    { values: {} },
  );
}

export function originalPolicy(c: KitHpaSettings): Policy {
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [{ source: 'Object', name: ADAPTER.poolRatio, target: { type: 'Value', value: 0.9 } }],
    behavior: ORIGINAL_BEHAVIOR,
  };
  const spec: BufferSpec = { mode: 'fixed', buffer: 0, min: 0, max: 0, schedule: [] };
  return kitPolicy(
    'original',
    'original OKE kit: pool ratio Value 0.9, +2 pods/+10 % per 15 s, 30 s down window; no warm nodes',
    hpa,
    spec,
    { balloons: 0, prepull: false },
    {
      problems: [
        'its scale-down (100 % per 15 s) and scale-up (2 pods or 10 % per 15 s) policies are not the kit template; ' +
          'set HPA_METRIC=ratio and HPA_TARGET=0.9 by hand if you really want it',
      ],
    },
  );
}

/** A demand policy (fixed or adaptive buffer) with the kit's behavior and node-level cuts. */
function demandPolicy(c: KitHpaSettings, name: string, spec: BufferSpec, warm: WarmNodes): Policy {
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [{ source: 'Object', name: ADAPTER.demand, target: { type: 'AverageValue', value: 1 } }],
    behavior: kitHpaBehavior(c),
  };
  const extra = describeWarm(warm);
  const values: Record<string, string | number> = {
    HPA_METRIC: 'demand',
    HPA_TARGET: 1,
    STREAM_BUFFER_MODE: spec.mode,
    ...(spec.mode === 'fixed'
      ? { STREAM_BUFFER: spec.buffer }
      : { STREAM_BUFFER_MIN: spec.min, STREAM_BUFFER_MAX: spec.max }),
    BALLOON_PODS: warm.balloons,
    PREPULL_IMAGES: String(warm.prepull),
  };
  return kitPolicy(
    name,
    `${ADAPTER.demand} AverageValue 1, ${bufferText(spec)}${extra ? `, ${extra}` : ''}`,
    hpa,
    spec,
    warm,
    { values },
  );
}

/** A fixed buffer of `buffer` without node-level cuts. */
export function bufferPolicy(c: KitHpaSettings, buffer: number): Policy {
  return demandPolicy(
    c,
    `buffer-${buffer}`,
    { mode: 'fixed', buffer, min: 0, max: 0, schedule: schedule(c) },
    { balloons: 0, prepull: false },
  );
}

const NAME = /^(buffer|buffer-(\d{1,4})|adaptive)((?:\+balloon-\d{1,3}|\+prepull)*)$/;

/** Resolves a built-in name (see the header); undefined when it is none. */
export function builtInPolicy(name: string, c: KitHpaSettings): Policy | undefined {
  if (name === 'configured') return configuredPolicy(c);
  if (name === 'original') return originalPolicy(c);
  const m = NAME.exec(name);
  if (m === null) return undefined;
  const [, base, n, mods = ''] = m;
  const balloon = /\+balloon-(\d+)/.exec(mods);
  const warm: WarmNodes = {
    balloons: balloon === null ? 0 : Number(balloon[1]),
    prepull: mods.includes('+prepull'),
  };
  const spec: BufferSpec =
    base === 'adaptive'
      ? {
          mode: 'adaptive',
          buffer: 0,
          min: c.STREAM_BUFFER_MIN,
          max: c.STREAM_BUFFER_MAX,
          schedule: schedule(c),
        }
      : {
          mode: 'fixed',
          buffer: n === undefined ? c.STREAM_BUFFER : Number(n),
          min: 0,
          max: 0,
          schedule: schedule(c),
        };
  return demandPolicy(c, name, spec, warm);
}

/** The adaptive buffer with .env's bounds, without node-level cuts. */
export function adaptivePolicy(c: KitHpaSettings): Policy {
  return builtInPolicy('adaptive', c)!;
}

export const BUILT_IN_NAMES = [
  'configured',
  'original',
  'buffer',
  'buffer-N',
  'adaptive',
  '…+balloon-K',
  '…+prepull',
] as const;

/** Looks names up in user policies first, then built-ins; every unknown name is reported. */
export function resolvePolicies(
  names: readonly string[],
  c: KitHpaSettings,
  user: readonly Policy[],
): Policy[] {
  const problems: string[] = [];
  const out: Policy[] = [];
  for (const name of names) {
    const p = user.find((u) => u.name === name) ?? builtInPolicy(name, c);
    if (p === undefined)
      problems.push(
        `unknown policy ${JSON.stringify(name)} (built-in: ${BUILT_IN_NAMES.join(', ')}; or define it in --config)`,
      );
    else out.push(p);
  }
  if (problems.length > 0) throw new SimError(SIM_ERRORS.policy, 'unknown policies', problems);
  return out;
}
