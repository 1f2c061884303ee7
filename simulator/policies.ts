// The policies compared side by side: the kit as configured in .env, the original OKE kit's, buffer-N on
// pixelstream_demand, an adaptive buffer (recent arrival rate × pod start-up, the SMSE idea of sizing warm
// capacity from observed demand), and user-described ones (see policy-file.ts).
import { kitHpaBehavior, type HpaBehaviorSettings } from '../common/hpa-behavior.js';
import { ADAPTER } from '../common/metric-names.js';
import type { KitConfig } from '../common/kit-config.js';
import { SIM_ERRORS, SimError } from './errors.js';
import type { Behavior, HpaMetric, HpaSpec } from './hpa-types.js';
import { adapterMetric } from './metrics-path.js';
import type { ObjectContext, Policy } from './policy.js';

/** The kit settings the built-in policies read: the deployed behavior's plus the metric and its bounds. */
export type KitHpaSettings = HpaBehaviorSettings &
  Pick<KitConfig, 'HPA_MIN_REPLICAS' | 'HPA_MAX_REPLICAS' | 'HPA_METRIC' | 'HPA_TARGET' | 'STREAM_BUFFER'>;

/** Adaptive buffer's own metric: not published by the adapter (yet), so it cannot be applied as is. */
export const ADAPTIVE_METRIC = 'pixelstream_demand_adaptive';

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

function adapterPolicy(
  name: string,
  description: string,
  hpa: HpaSpec,
  buffer: number,
  apply: Policy['apply'],
): Policy {
  return {
    name,
    description,
    hpa,
    objectValue: (metric: string, ctx: ObjectContext) => adapterMetric(metric, ctx.snapshot, buffer),
    podValue: () => undefined,
    apply,
  };
}

/** The kit's configured deployment, exactly as .env describes it. */
export function configuredPolicy(c: KitHpaSettings): Policy {
  const metric: HpaMetric = {
    source: 'Object',
    name: METRIC_OF[c.HPA_METRIC],
    target: { type: TARGET_TYPE[c.HPA_METRIC], value: c.HPA_TARGET },
  };
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [metric],
    behavior: kitHpaBehavior(c),
  };
  return adapterPolicy(
    'configured',
    `.env: ${c.HPA_METRIC} target ${c.HPA_TARGET}, buffer ${c.STREAM_BUFFER}`,
    hpa,
    c.STREAM_BUFFER,
    {
      values: {},
    },
  );
}

export function originalPolicy(c: KitHpaSettings): Policy {
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [{ source: 'Object', name: ADAPTER.poolRatio, target: { type: 'Value', value: 0.9 } }],
    behavior: ORIGINAL_BEHAVIOR,
  };
  return adapterPolicy(
    'original',
    'original OKE kit: pool ratio Value 0.9, +2 pods/+10 % per 15 s, 30 s down window',
    hpa,
    0,
    {
      problems: [
        'its scale-down (100 % per 15 s) and scale-up (2 pods or 10 % per 15 s) policies are not the kit template; ' +
          'set HPA_METRIC=ratio and HPA_TARGET=0.9 by hand if you really want it',
      ],
    },
  );
}

export function bufferPolicy(c: KitHpaSettings, buffer: number): Policy {
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [{ source: 'Object', name: ADAPTER.demand, target: { type: 'AverageValue', value: 1 } }],
    behavior: kitHpaBehavior(c),
  };
  return adapterPolicy(
    `buffer-${buffer}`,
    `${ADAPTER.demand} AverageValue 1 with ${buffer} free stream(s)`,
    hpa,
    buffer,
    {
      values: { HPA_METRIC: 'demand', HPA_TARGET: 1, STREAM_BUFFER: buffer },
    },
  );
}

export function adaptivePolicy(c: KitHpaSettings): Policy {
  const hpa: HpaSpec = {
    minReplicas: c.HPA_MIN_REPLICAS,
    maxReplicas: c.HPA_MAX_REPLICAS,
    metrics: [{ source: 'Object', name: ADAPTIVE_METRIC, target: { type: 'AverageValue', value: 1 } }],
    behavior: kitHpaBehavior(c),
  };
  return {
    name: 'adaptive',
    description: 'allocated + queued + max(1, ceil(arrival rate × pod start-up)) AverageValue 1',
    hpa,
    objectValue(metric, ctx) {
      if (metric !== ADAPTIVE_METRIC) return undefined;
      const base = adapterMetric(ADAPTER.demand, ctx.snapshot, 0);
      if (base === undefined) return undefined;
      return base + Math.max(1, Math.ceil(ctx.arrivalRate * ctx.startupSeconds));
    },
    podValue: () => undefined,
    apply: {
      problems: [
        `the adapter publishes no ${ADAPTIVE_METRIC}; deploy buffer-N with N ≈ peak arrivals per second × pod start-up seconds instead`,
      ],
    },
  };
}

/** Resolves a built-in name: configured, original, adaptive, buffer (STREAM_BUFFER) or buffer-N. */
export function builtInPolicy(name: string, c: KitHpaSettings): Policy | undefined {
  if (name === 'configured') return configuredPolicy(c);
  if (name === 'original') return originalPolicy(c);
  if (name === 'adaptive') return adaptivePolicy(c);
  if (name === 'buffer') return bufferPolicy(c, c.STREAM_BUFFER);
  const m = /^buffer-(\d{1,4})$/.exec(name);
  if (m !== null) return bufferPolicy(c, Number(m[1]));
  return undefined;
}

export const BUILT_IN_NAMES = ['configured', 'original', 'buffer', 'buffer-N', 'adaptive'] as const;

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
