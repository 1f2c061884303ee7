// User-described policies and model overrides from a YAML or JSON file (--config). Shapes follow the HPA
// manifest (target, behavior) so a tuned policy reads like what gets deployed; every problem in the file is
// reported at once.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ADAPTER } from '../common/metric-names.js';
import { parseDistribution } from './distribution.js';
import { SIM_ERRORS, SimError } from './errors.js';
import { compileExpression, type Compiled } from './expression.js';
import type { Behavior, HpaMetric } from './hpa-types.js';
import { adapterMetric, type PodGauges } from './metrics-path.js';
import { PACKINGS } from './gpu-packing.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import type { KitHpaSettings } from './policies.js';
import type { ObjectContext, Policy } from './policy.js';

/** Variables an Object-metric expression may use (cluster-wide, as the adapter sees them). */
export const OBJECT_VARIABLES = [
  'allocated',
  'available',
  'streamers',
  'players',
  'draining',
  'pods',
  'queued',
  'buffer',
  'arrival_rate',
  'startup_seconds',
  ADAPTER.demand,
  ADAPTER.poolRatio,
  ADAPTER.availableCount,
] as const;
/** Variables a Pods-metric expression may use (one pod's gauges). */
export const POD_VARIABLES = ['allocated', 'available', 'connected', 'draining'] as const;

const policyRule = z.strictObject({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().min(1).max(1800),
});
const rules = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(policyRule).min(1).max(10).optional(),
  tolerance: z.number().min(0).max(1).optional(),
});
const target = z.union([
  z.strictObject({ type: z.literal('Value'), value: z.number().positive() }),
  z.strictObject({ type: z.literal('AverageValue'), averageValue: z.number().positive() }),
]);
const metric = z.strictObject({
  type: z.enum(['Object', 'Pods']).default('Object'),
  /** name the HPA would use; defaults to the expression when it is a bare adapter metric */
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .max(100)
    .optional(),
  expression: z.string().min(1).max(500),
  target,
});
const policy = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
  description: z.string().max(200).optional(),
  minReplicas: z.number().int().min(0).optional(),
  maxReplicas: z.number().int().min(1).optional(),
  /** STREAM_BUFFER seen by the adapter's pixelstream_demand under this policy */
  buffer: z.number().int().min(0).max(1000).optional(),
  metrics: z.array(metric).min(1).max(5),
  behavior: z.strictObject({ scaleUp: rules.optional(), scaleDown: rules.optional() }).optional(),
});
const distribution = z.string().max(100);
const modelShape = z
  .strictObject({
    scheduling: distribution,
    imagePull: distribution,
    imagePullCached: distribution,
    appStart: distribution,
    terminationSeconds: z.number().min(0),
    deletionOrder: z.enum(['cost', 'arbitrary']),
    drainTimeoutSeconds: z.number().min(0),
    gpusPerNode: z.number().int().min(1).max(64),
    streamsPerGpu: z.number().int().min(1).max(48),
    coTenantSlowdown: z.number().min(0).max(10),
    packing: z.enum(PACKINGS),
    minNodes: z.number().int().min(0),
    maxNodes: z.number().int().min(1).max(100_000),
    nodeStartup: distribution,
    caScanSeconds: z.number().min(1),
    nodeUnneededSeconds: z.number().min(0),
    scrapeIntervalSeconds: z.number().min(1),
    adapterDelaySeconds: z.number().min(0),
    adapterRelistSeconds: z.number().min(0),
    rateWindowSeconds: z.number().min(1),
    queueMax: z.number().int().min(0),
    queueTimeoutSeconds: z.number().min(1),
    giveUp: distribution,
  })
  .partial();
const file = z.strictObject({ model: modelShape.optional(), policies: z.array(policy).max(50).optional() });

export interface PolicyFile {
  readonly model: Partial<Model>;
  readonly policies: (kit: KitHpaSettings) => Policy[];
}

/** Parses the file text (YAML, of which JSON is a subset). */
export function parsePolicyFile(text: string, source = 'config'): PolicyFile {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    throw new SimError(SIM_ERRORS.policy, `${source}: not YAML/JSON`, [
      (err as Error).message.split('\n')[0] ?? '',
    ]);
  }
  const parsed = file.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new SimError(
      SIM_ERRORS.policy,
      `invalid ${source}`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const problems: string[] = [];
  const model: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.data.model ?? {})) {
    if (typeof value === 'string' && key !== 'deletionOrder') {
      try {
        model[key] = parseDistribution(value, `model.${key}`);
      } catch (err) {
        problems.push((err as Error).message);
      }
    } else model[key] = value;
  }
  const specs = parsed.data.policies ?? [];
  const names = new Set<string>();
  const compiled = specs.map((p, pi) => {
    if (names.has(p.name)) problems.push(`policies.${pi}.name: duplicate ${p.name}`);
    names.add(p.name);
    if (p.minReplicas !== undefined && p.maxReplicas !== undefined && p.minReplicas > p.maxReplicas)
      problems.push(`policies.${pi}: minReplicas must be ≤ maxReplicas`);
    return p.metrics.map((m, mi) => {
      try {
        return compileExpression(m.expression, m.type === 'Pods' ? POD_VARIABLES : OBJECT_VARIABLES);
      } catch (err) {
        problems.push(`policies.${pi}.metrics.${mi}.expression: ${(err as Error).message}`);
        return () => NaN;
      }
    });
  });
  if (problems.length > 0) throw new SimError(SIM_ERRORS.policy, `invalid ${source}`, problems);

  return {
    model: model,
    policies: (kit) => specs.map((p, i) => userPolicy(p, compiled[i]!, kit)),
  };
}

type Spec = z.infer<typeof policy>;

function userPolicy(p: Spec, exprs: Compiled[], kit: KitHpaSettings): Policy {
  const buffer = p.buffer ?? kit.STREAM_BUFFER;
  const metrics: HpaMetric[] = p.metrics.map((m, i) => ({
    source: m.type,
    name:
      m.name ??
      (isAdapterMetric(m.expression.trim()) ? m.expression.trim() : `${p.name.replace(/-/g, '_')}_m${i}`),
    target:
      m.target.type === 'Value'
        ? { type: 'Value', value: m.target.value }
        : { type: 'AverageValue', value: m.target.averageValue },
  }));
  const byName = new Map(metrics.map((m, i) => [m.name, exprs[i]!]));
  const behavior: Behavior | undefined = p.behavior;
  return {
    name: p.name,
    description: p.description ?? p.metrics.map((m) => `${m.type} ${m.expression}`).join('; '),
    hpa: {
      minReplicas: p.minReplicas ?? kit.HPA_MIN_REPLICAS,
      maxReplicas: p.maxReplicas ?? kit.HPA_MAX_REPLICAS,
      metrics,
      ...(behavior === undefined ? {} : { behavior }),
    },
    objectValue(name: string, ctx: ObjectContext) {
      const f = byName.get(name);
      const s = ctx.snapshot;
      if (f === undefined || s.scrapedPods === 0) return undefined;
      const v = f({
        allocated: s.allocated,
        available: s.available,
        streamers: s.streamers,
        players: s.players,
        draining: s.draining,
        pods: s.scrapedPods,
        queued: s.queued,
        buffer,
        arrival_rate: ctx.arrivalRate,
        startup_seconds: ctx.startupSeconds,
        [ADAPTER.demand]: adapterMetric(ADAPTER.demand, s, buffer) ?? NaN,
        [ADAPTER.poolRatio]: adapterMetric(ADAPTER.poolRatio, s, buffer) ?? NaN,
        [ADAPTER.availableCount]: adapterMetric(ADAPTER.availableCount, s, buffer) ?? NaN,
      });
      return Number.isFinite(v) ? v : undefined;
    },
    podValue(name: string, g: PodGauges) {
      const f = byName.get(name);
      if (f === undefined) return undefined;
      const v = f({
        allocated: g.allocated,
        available: g.available,
        connected: g.connected,
        draining: g.draining,
      });
      return Number.isFinite(v) ? v : undefined;
    },
    apply: applyValues(p, buffer),
  };
}

const isAdapterMetric = (s: string) =>
  s === ADAPTER.demand || s === ADAPTER.poolRatio || s === ADAPTER.availableCount;

/** A user policy fits the kit's HPA template when it targets one adapter metric the way the manifests do and
 *  its behavior has the template's shape. */
function applyValues(p: Spec, buffer: number): Policy['apply'] {
  const problems: string[] = [];
  const values: Record<string, string | number> = {};
  const [m, ...rest] = p.metrics;
  if (m === undefined || rest.length > 0) problems.push('the kit deploys exactly one metric');
  else {
    const expr = m.expression.trim();
    const kind =
      expr === ADAPTER.demand
        ? 'demand'
        : expr === ADAPTER.poolRatio
          ? 'ratio'
          : expr === ADAPTER.availableCount
            ? 'available'
            : undefined;
    const wantType = kind === 'demand' ? 'AverageValue' : 'Value';
    if (m.type !== 'Object' || kind === undefined)
      problems.push(
        `the metric must be an Object metric named ${ADAPTER.demand}, ${ADAPTER.poolRatio} or ${ADAPTER.availableCount}`,
      );
    else if (m.target.type !== wantType) problems.push(`the kit targets ${expr} with ${wantType}`);
    else {
      values.HPA_METRIC = kind;
      values.HPA_TARGET = m.target.type === 'Value' ? m.target.value : m.target.averageValue;
      values.STREAM_BUFFER_MODE = 'fixed';
      values.STREAM_BUFFER = buffer;
    }
  }
  if (p.minReplicas !== undefined) values.HPA_MIN_REPLICAS = p.minReplicas;
  if (p.maxReplicas !== undefined) values.HPA_MAX_REPLICAS = p.maxReplicas;
  const up = p.behavior?.scaleUp;
  const down = p.behavior?.scaleDown;
  if (p.behavior === undefined) problems.push('the kit always renders a behavior; give one');
  if (up !== undefined) {
    if (up.stabilizationWindowSeconds !== undefined)
      values.HPA_SCALE_UP_STABILIZATION_SECONDS = up.stabilizationWindowSeconds;
    if ((up.selectPolicy ?? 'Max') !== 'Max' || up.tolerance !== undefined)
      problems.push('scaleUp: the kit uses selectPolicy Max and the default tolerance');
    if (up.policies !== undefined) {
      const pods = up.policies.filter((x) => x.type === 'Pods');
      const pct = up.policies.filter((x) => x.type === 'Percent');
      if (pods.length !== 1 || pct.length !== 1 || pods[0]!.periodSeconds !== pct[0]!.periodSeconds)
        problems.push(
          'scaleUp.policies: the kit renders one Pods and one Percent policy with the same period',
        );
      else {
        values.HPA_SCALE_UP_PODS = pods[0]!.value;
        values.HPA_SCALE_UP_PERCENT = pct[0]!.value;
        values.HPA_SCALE_UP_PERIOD_SECONDS = pods[0]!.periodSeconds;
      }
    }
  }
  if (down !== undefined) {
    if (down.stabilizationWindowSeconds !== undefined)
      values.HPA_SCALE_DOWN_STABILIZATION_SECONDS = down.stabilizationWindowSeconds;
    if (down.tolerance !== undefined) problems.push('scaleDown: the kit uses the default tolerance');
    if (down.selectPolicy === 'Disabled') problems.push('scaleDown: the kit cannot disable scale-down');
    if (down.policies !== undefined) {
      const only = down.policies[0];
      if (down.policies.length !== 1 || only?.type !== 'Pods')
        problems.push('scaleDown.policies: the kit renders one Pods policy');
      else {
        values.HPA_SCALE_DOWN_PODS = only.value;
        values.HPA_SCALE_DOWN_PERIOD_SECONDS = only.periodSeconds;
      }
    }
  }
  return problems.length > 0 ? { problems } : { values };
}

/** Model with file overrides applied. */
export function applyModel(base: Model, overrides: Partial<Model>): Model {
  return { ...base, ...overrides };
}

export { DEFAULT_MODEL };
