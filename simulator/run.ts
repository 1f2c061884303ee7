// One `npm run simulate`: read the kit config and the workload, simulate every policy on the same trace and
// seed, print the table, write the HTML report, and optionally write the chosen policy back into .env.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../common/env-config.js';
import { parseGpuSharing, streamsPerGpu } from '../common/gpu-sharing.js';
import { kitEnv, loadKitConfig, writeDotEnvValues, type KitConfig } from '../common/kit-config.js';
import { generateArrivals, parseTrace, type Arrival } from './arrivals.js';
import { DEFAULT_HOURS, type CliOptions } from './cli.js';
import { formatDistribution } from './distribution.js';
import { SIM_ERRORS, SimError, SimInputErrors, type SimErrorCode } from './errors.js';
import { DEFAULT_MODEL, type Model } from './model.js';
import { renderHtml } from './plot.js';
import { parsePolicyFile } from './policy-file.js';
import { resolvePolicies } from './policies.js';
import type { Policy } from './policy.js';
import { TABLE_COLUMNS, formatTable, summarize, tableRows, type Summary } from './report.js';
import { compareSharing, formatSharingTable, type SharingRow } from './sharing-report.js';
import { simulate, type SimulationResult } from './simulation.js';

export interface RunOutput {
  readonly summaries: Summary[];
  readonly results: SimulationResult[];
  readonly table: string;
  readonly htmlPath: string;
  readonly applied?: Record<string, string | number>;
  /** with --streams-per-gpu: each policy at 1 and the given streams per GPU */
  readonly sharing?: SharingRow[];
}

export interface RunIo {
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly progress?: (label: string, fraction: number) => void;
}

/** Runs each independent input check, so one run reports the .env, the policy file and the trace together. */
function checkInputs<T extends unknown[]>(...checks: { [K in keyof T]: () => T[K] }): T {
  const errors: (SimError | ConfigError)[] = [];
  const values = checks.map((check) => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof SimError || err instanceof ConfigError)) throw err;
      errors.push(err);
      return undefined;
    }
  });
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new SimInputErrors(errors);
  return values as T;
}

export function run(o: CliOptions, io: RunIo): RunOutput {
  const envPath = path.resolve(io.cwd, o.env);
  const outDir = path.resolve(io.cwd, o.out);
  const [kit, file, trace] = checkInputs(
    () => loadKitConfig(fileIo(SIM_ERRORS.config, envPath, () => kitEnv(envPath, io.env))),
    () =>
      o.config === undefined
        ? undefined
        : parsePolicyFile(readText(path.resolve(io.cwd, o.config), SIM_ERRORS.policy), o.config),
    () =>
      o.trace === undefined
        ? undefined
        : parseTrace(readText(path.resolve(io.cwd, o.trace), SIM_ERRORS.trace), o.trace),
    // Before minutes of simulation, not after: the report must have somewhere to go.
    () => fileIo(SIM_ERRORS.output, outDir, () => mkdirSync(outDir, { recursive: true })),
  );
  const model: Model = {
    ...DEFAULT_MODEL,
    gpusPerPod: kit.GPUS_PER_POD,
    streamsPerGpu: kitStreamsPerGpu(kit),
    drainTimeoutSeconds: kit.DRAIN_TIMEOUT_SECONDS,
    queueTimeoutSeconds: kit.QUEUE_TIMEOUT_SECONDS,
    ...file?.model,
    ...(o.deletionOrder === undefined ? {} : { deletionOrder: o.deletionOrder }),
    ...(o.coTenantSlowdown === undefined ? {} : { coTenantSlowdown: o.coTenantSlowdown }),
  };
  const misfit: string[] = [];
  if (model.gpusPerNode < model.gpusPerPod)
    misfit.push(`gpusPerNode ${model.gpusPerNode} < GPUS_PER_POD ${model.gpusPerPod}`);
  if (model.streamsPerGpu > 1 && model.gpusPerPod !== 1)
    misfit.push(
      `streamsPerGpu ${model.streamsPerGpu} needs GPUS_PER_POD 1 (a pod gets one share of one GPU)`,
    );
  if (misfit.length > 0) throw new SimError(SIM_ERRORS.config, 'model does not fit', misfit);
  const user = file?.policies(kit) ?? [];
  const names =
    o.apply !== undefined && !o.policies.includes(o.apply) ? [...o.policies, o.apply] : o.policies;
  const policies = resolvePolicies(names, kit, user);

  let arrivals: Arrival[];
  let hours: number;
  let workload: string;
  if (o.trace !== undefined && trace !== undefined) {
    arrivals = trace;
    hours = o.hours ?? Math.ceil(((arrivals[arrivals.length - 1]!.at + 1) / 3600) * 100) / 100;
    workload = `trace ${o.trace}`;
  } else {
    hours = o.hours ?? DEFAULT_HOURS;
    arrivals = generateArrivals({
      pattern: o.pattern,
      ratePerHour: o.rate,
      hours,
      session: o.session,
      seed: o.seed,
    });
    workload = `${o.pattern} at ${o.rate}/h base, sessions ${formatDistribution(o.session)}`;
  }

  const results = policies.map((p) =>
    simulate({
      arrivals,
      horizonSeconds: hours * 3600,
      policy: p,
      model,
      seed: o.seed,
      onProgress: io.progress === undefined ? undefined : (f) => io.progress!(p.name, f),
    }),
  );
  const sharing =
    o.streamsPerGpu.length === 0
      ? undefined
      : compareSharing(
          policies.map((p) => p.name),
          o.streamsPerGpu,
          model,
          (name, m) =>
            simulate({
              arrivals,
              horizonSeconds: hours * 3600,
              policy: policies.find((p) => p.name === name)!,
              model: m,
              seed: o.seed,
            }),
        );
  const summaries = results.map(summarize);
  const table = formatTable(TABLE_COLUMNS, tableRows(summaries));
  const notes = [
    `${workload}; ${arrivals.filter((a) => a.at < hours * 3600).length} players over ${hours} h; seed ${o.seed}`,
    `pods: pull ${formatDistribution(model.imagePull)} (cached ${formatDistribution(model.imagePullCached)}), start ${formatDistribution(model.appStart)}; nodes: ${model.gpusPerNode} GPU(s), start ${formatDistribution(model.nodeStartup)}, max ${model.maxNodes}; deletion order ${model.deletionOrder}`,
    `GPU sharing: ${model.streamsPerGpu} stream(s) per GPU, ${model.packing}, slow-down ${model.coTenantSlowdown} per co-tenant stream`,
    ...policies.map((p) => `${p.name}: ${p.description}`),
  ];
  const htmlPath = path.join(outDir, 'simulation.html');
  fileIo(SIM_ERRORS.output, htmlPath, () =>
    writeFileSync(
      htmlPath,
      renderHtml(
        'Autoscaling simulation',
        summaries,
        results,
        notes,
        sharing === undefined ? [] : [{ title: SHARING_TITLE, text: formatSharingTable(sharing) }],
      ),
    ),
  );

  let applied: Record<string, string | number> | undefined;
  if (o.apply !== undefined) {
    applied = applyPolicy(
      policies.find((p) => p.name === o.apply)!,
      envPath,
    );
  }
  const sharingTable = sharing === undefined ? '' : `\n\n${SHARING_TITLE}\n${formatSharingTable(sharing)}`;
  return {
    summaries,
    results,
    table: `${notes.join('\n')}\n\n${table}${sharingTable}`,
    htmlPath,
    ...(applied ? { applied } : {}),
    ...(sharing ? { sharing } : {}),
  };
}

const SHARING_TITLE = 'Streams per GPU (same trace and seed; saved = against 1 per GPU)';

/** Streams per GPU under the kit's GPU_SHARING: time-slicing's replicas; 1 otherwise (MIG: set it in the model). */
function kitStreamsPerGpu(kit: KitConfig): number {
  const sharing = parseGpuSharing(kit.GPU_SHARING);
  return 'problem' in sharing ? 1 : (streamsPerGpu(sharing) ?? 1);
}

/** Writes the policy's .env values; refuses (coded) when the kit's HPA template cannot express it. */
export function applyPolicy(p: Policy, envPath: string): Record<string, string | number> {
  if ('problems' in p.apply) throw new SimError(SIM_ERRORS.apply, `cannot apply ${p.name}`, p.apply.problems);
  const values = p.apply.values;
  fileIo(SIM_ERRORS.output, envPath, () => writeDotEnvValues(envPath, values));
  return p.apply.values;
}

/** A file-system step whose failure (EISDIR, ENOTDIR, EACCES…) becomes a coded error naming the path. */
function fileIo<T>(code: SimErrorCode, file: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (typeof errno !== 'string' || !/^E[A-Z]+$/.test(errno)) throw err;
    throw new SimError(code, `cannot ${code === SIM_ERRORS.output ? 'write' : 'read'} ${file}`, [errno]);
  }
}

function readText(file: string, code: SimErrorCode): string {
  return fileIo(code, file, () => readFileSync(file, 'utf8'));
}
