// One pod of a workload's template, run with docker the way a kubelet runs it: a sandbox container holds
// the pod's network namespace (plugged into the node bridge), the containers join it in spec order with
// their env, user, security context and volumes; readiness and liveness probes are polled at their
// periods; a container that exits is restarted with the kubelet's back-off; deletion runs each
// container's preStop, then its stop signal, then SIGKILL once terminationGracePeriodSeconds is spent.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { track, type LogLine, type RunningProcess } from '../support/processes.js';
import { containerEnv, containerRunArgs, runAs, type PodIdentity } from './container-args.js';
import { docker, dockerOk } from './docker.js';
import { CLUSTER_DNS_IP, NODE_IP, attachPod, ensureNodeBridge, leaseIp, releaseIp } from './pod-network.js';
import {
  SERVICE_ACCOUNT_DIR,
  SERVICE_ACCOUNT_VOLUME,
  automountsToken,
  prepareVolumes,
  removeVolumes,
  type ClusterAccess,
  type PreparedVolumes,
} from './pod-volumes.js';
import { ensurePauseImage } from './pause-image.js';
import { ProbeState, probeTiming, runHandler } from './probes.js';
import type { Container, Probe, SecretSet, Workload } from './pod-spec.js';
import { assertSupported } from './refusals.js';

export interface RunPodOptions {
  workload: Workload;
  /** The test's Secrets (name → key → value) for secretKeyRef and secret volumes. */
  secrets: SecretSet;
  configMaps?: Record<string, Record<string, string>>;
  /** The API server given to the pod; required when the pod mounts a service-account token. */
  cluster?: ClusterAccess;
  /** Resources other than cpu/memory the caller knowingly runs without (e.g. nvidia.com/gpu). */
  waivedResources?: string[];
  /** Pod name (default: the workload's name and a random suffix, as a ReplicaSet names pods). */
  name?: string;
  /** A fixed address (one of RESERVED_IPS; default: the next free one), e.g. a TURN node's public address. */
  ip?: string;
}

export interface TimelineEvent {
  ms: number;
  container?: string;
  event: string;
  detail?: string;
}

interface ContainerRun {
  spec: Container;
  dockerName: string;
  runArgs: string[];
  stopSignal: string;
  logs: RunningProcess[];
  ready: boolean;
  running: boolean;
  restartCount: number;
  lastExitCode: number | undefined;
  exited: Promise<number> | undefined;
  timers: NodeJS.Timeout[];
  /** Set while a liveness restart kills it: the exit is not a crash. */
  restarting: boolean;
}

/** What deletion did, per container. */
export interface StopReport {
  graceMs: number;
  elapsedMs: number;
  containers: Record<
    string,
    { preStopMs?: number; preStopResult?: string; exitCode: number; killed: boolean; termToExitMs: number }
  >;
}

const LABEL = 'pixelstream.test/pod';
/** The kubelet's restart back-off: 10 s, doubling, capped at 5 minutes. */
const BACKOFF_FIRST_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** The kubelet never gives a stop less than this after a preStop hook. */
const MIN_STOP_GRACE_MS = 2_000;

export class RunningPod extends EventEmitter {
  readonly containers = new Map<string, ContainerRun>();
  readonly timeline: TimelineEvent[] = [];
  /** Every failed probe result (the timeline holds only the state changes they cause). */
  readonly probeFailures: TimelineEvent[] = [];
  readonly labels: Record<string, string>;
  readonly sandbox: string;
  deletionTimestamp: string | undefined;
  private readonly t0 = Date.now();
  private resourceVersion = 1;
  private stopped = false;
  private cleaned = false;

  constructor(
    readonly identity: PodIdentity,
    readonly workload: Workload,
    private readonly volumes: PreparedVolumes,
  ) {
    super();
    this.labels = { ...(workload.spec.template.metadata?.labels ?? {}) };
    this.sandbox = `${identity.name}-sandbox`;
  }

  get name(): string {
    return this.identity.name;
  }
  get ip(): string {
    return this.identity.podIP;
  }

  /** Every container ready (the pod's Ready condition). */
  get ready(): boolean {
    return [...this.containers.values()].every((c) => c.ready);
  }

  note(event: string, container?: string, detail?: string): void {
    this.timeline.push({
      ms: Date.now() - this.t0,
      event,
      ...(container ? { container } : {}),
      ...(detail ? { detail } : {}),
    });
    this.resourceVersion++;
    this.emit('change', this);
  }

  /** The pod as the API server would show it (what the router's discovery reads). */
  toApiObject(): Record<string, unknown> {
    const statuses = [...this.containers.values()].map((c) => ({
      name: c.spec.name,
      image: c.spec.image,
      ready: c.ready,
      restartCount: c.restartCount,
      started: c.running,
    }));
    const ready = this.ready;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: this.name,
        namespace: this.identity.namespace,
        uid: this.identity.uid,
        resourceVersion: String(this.resourceVersion),
        labels: this.labels,
        ...(this.deletionTimestamp ? { deletionTimestamp: this.deletionTimestamp } : {}),
      },
      spec: { nodeName: this.identity.nodeName },
      status: {
        phase: 'Running',
        podIP: this.ip,
        hostIP: this.identity.hostIP,
        conditions: [
          { type: 'Ready', status: ready ? 'True' : 'False' },
          { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        ],
        containerStatuses: statuses,
      },
    };
  }

  /** Every log line the container printed (all its runs), JSON lines parsed. */
  lines(container: string): LogLine[] {
    return this.run(container).logs.flatMap((l) => l.lines);
  }

  /** The first line (past or future) of the container's current run that matches. */
  waitForLog(container: string, pred: (l: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const c = this.run(container);
    const past = c.logs.flatMap((l) => l.lines).find(pred);
    if (past) return Promise.resolve(past);
    const current = c.logs.at(-1);
    if (!current) return Promise.reject(new Error(`pod runner: ${container} has no logs`));
    return current.waitFor(pred, timeoutMs);
  }

  /** Resolves once every container is ready; rejects with the containers' states and last log lines. */
  waitReady(timeoutMs = 60_000): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!this.ready) return;
        clearTimeout(timer);
        this.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('change', onChange);
        reject(new Error(`pod ${this.name} not ready within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      this.on('change', onChange);
    });
  }

  /** Containers' states, restarts and last log lines: for failure messages. */
  describe(): string {
    const events = [...this.timeline, ...this.probeFailures.slice(-5)]
      .sort((a, b) => a.ms - b.ms)
      .map((e) => `  ${e.ms} ms ${e.container ?? 'pod'}: ${e.event}${e.detail ? ` (${e.detail})` : ''}`);
    return `${events.join('\n')}\n${[...this.containers.values()]
      .map((c) => {
        const last = this.lines(c.spec.name)
          .slice(-8)
          .map((l) => `    ${JSON.stringify(l).slice(0, 300)}`);
        return [
          `  ${c.spec.name}: running=${String(c.running)} ready=${String(c.ready)} restarts=${c.restartCount} lastExit=${String(c.lastExitCode)}`,
          ...last,
        ].join('\n');
      })
      .join('\n')}`;
  }

  exec(container: string, command: string[], timeoutMs = 20_000) {
    return docker(['exec', this.run(container).dockerName, ...command], timeoutMs);
  }

  private run(container: string): ContainerRun {
    const c = this.containers.get(container);
    if (!c) throw new Error(`pod runner: no container ${container} in pod ${this.name}`);
    return c;
  }

  /** @internal Starts (or restarts) one container and follows its logs and exit. */
  async startContainer(c: ContainerRun, restart: boolean): Promise<void> {
    if (restart) await dockerOk(['start', c.dockerName]);
    else await dockerOk(c.runArgs);
    const since = restart ? ['--since', new Date(Date.now() - 1000).toISOString()] : [];
    c.logs.push(
      track(
        spawn('docker', ['logs', '--follow', ...since, c.dockerName], { stdio: ['ignore', 'pipe', 'pipe'] }),
      ),
    );
    c.running = true;
    c.ready = c.spec.readinessProbe === undefined;
    this.note(restart ? 'restarted' : 'started', c.spec.name);
    c.exited = new Promise<number>((resolve) => {
      const w = spawn('docker', ['wait', c.dockerName], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      w.stdout.on('data', (d: Buffer) => (out += d.toString()));
      w.once('exit', () => resolve(Number(out.trim() || '-1')));
    });
    void c.exited.then((code) => this.onExit(c, code));
    this.startProbes(c);
  }

  private onExit(c: ContainerRun, code: number): void {
    c.running = false;
    c.ready = false;
    c.lastExitCode = code;
    for (const t of c.timers) clearTimeout(t);
    c.timers = [];
    this.note('exited', c.spec.name, `code ${code}`);
    if (this.stopped || c.restarting) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** c.restartCount);
    c.restartCount++;
    const t = setTimeout(
      () =>
        void this.startContainer(c, true).catch((err: Error) =>
          this.note('restart failed', c.spec.name, err.message),
        ),
      delay,
    );
    c.timers.push(t);
  }

  private startProbes(c: ContainerRun): void {
    const target = { podIP: this.ip, container: c.spec, dockerName: c.dockerName };
    const loop = (probe: Probe, kind: 'startup' | 'readiness' | 'liveness') => {
      const t = probeTiming(probe);
      const state = new ProbeState(t.successThreshold, t.failureThreshold, kind === 'liveness');
      // During termination the kubelet keeps probing readiness and stops acting on the other two.
      const moot = () => !c.running || (kind !== 'readiness' && this.deletionTimestamp !== undefined);
      const tick = async () => {
        if (moot()) return;
        const why = await runHandler(probe, target, t.timeoutMs);
        if (moot()) return;
        if (why)
          this.probeFailures.push({
            ms: Date.now() - this.t0,
            container: c.spec.name,
            event: `${kind} probe failed`,
            detail: why,
          });
        if (state.record(why === '')) {
          if (kind === 'readiness') {
            c.ready = state.passing;
            this.note(state.passing ? 'ready' : 'not ready', c.spec.name, why || undefined);
          } else if (kind === 'startup') {
            // Passed: the startup probe stops, readiness and liveness begin.
            this.note('startup probe passed', c.spec.name);
            return probeAfterStartup();
          } else {
            this.note('liveness failed', c.spec.name, why);
            void this.restartForLiveness(c);
            return;
          }
        } else if (kind === 'startup' && state.failures >= t.failureThreshold) {
          this.note('startup probe failed', c.spec.name, why);
          void this.restartForLiveness(c);
          return;
        }
        c.timers.push(setTimeout(() => void tick(), t.periodMs));
      };
      c.timers.push(setTimeout(() => void tick(), t.initialDelayMs));
    };
    const probeAfterStartup = () => {
      if (c.spec.readinessProbe) loop(c.spec.readinessProbe, 'readiness');
      if (c.spec.livenessProbe) loop(c.spec.livenessProbe, 'liveness');
    };
    if (c.spec.startupProbe) loop(c.spec.startupProbe, 'startup');
    else probeAfterStartup();
  }

  private async restartForLiveness(c: ContainerRun): Promise<void> {
    c.restarting = true;
    await this.killContainer(c, this.graceMs());
    c.restarting = false;
    c.restartCount++;
    if (!this.stopped && !this.deletionTimestamp)
      await this.startContainer(c, true).catch((err: Error) =>
        this.note('restart failed', c.spec.name, err.message),
      );
  }

  graceMs(): number {
    return (this.workload.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  /** preStop (bounded by the grace period), then the stop signal, then SIGKILL when the grace is spent. */
  private async killContainer(c: ContainerRun, graceMs: number) {
    const start = Date.now();
    const out: StopReport['containers'][string] = { exitCode: -1, killed: false, termToExitMs: 0 };
    const preStop = c.spec.lifecycle?.preStop;
    if (preStop && c.running) {
      this.note('preStop started', c.spec.name);
      const target = { podIP: this.ip, container: c.spec, dockerName: c.dockerName };
      const result = await Promise.race([
        runHandler(preStop, target, graceMs),
        new Promise<string>((r) => setTimeout(() => r('grace period spent'), graceMs)),
      ]);
      out.preStopMs = Date.now() - start;
      out.preStopResult = result || 'ok';
      this.note('preStop ended', c.spec.name, out.preStopResult);
    }
    const left = Math.max(MIN_STOP_GRACE_MS, graceMs - (Date.now() - start));
    const termAt = Date.now();
    if (c.running) {
      this.note(`${c.stopSignal} sent`, c.spec.name);
      await docker(['kill', '--signal', c.stopSignal, c.dockerName]);
    }
    const exited = c.exited ?? Promise.resolve(-1);
    const timer = setTimeout(() => {
      out.killed = true;
      this.note('SIGKILL sent', c.spec.name, 'grace period spent');
      void docker(['kill', '--signal', 'KILL', c.dockerName]);
    }, left);
    out.exitCode = await exited;
    clearTimeout(timer);
    out.termToExitMs = Date.now() - termAt;
    return out;
  }

  /**
   * Deletes the pod as the API server and kubelet would: deletionTimestamp set at once (discovery sees a
   * terminating pod), every container stopped in parallel within the grace period, then the sandbox,
   * volumes and address released.
   */
  async stop(): Promise<StopReport> {
    const start = Date.now();
    const graceMs = this.graceMs();
    this.deletionTimestamp = new Date().toISOString();
    this.note('deleted');
    const entries = await Promise.all(
      [...this.containers.values()].map(
        async (c) => [c.spec.name, await this.killContainer(c, graceMs)] as const,
      ),
    );
    this.stopped = true;
    const report: StopReport = {
      graceMs,
      elapsedMs: Date.now() - start,
      containers: Object.fromEntries(entries),
    };
    this.note('terminated');
    await this.cleanup();
    return report;
  }

  /** Removes everything at once (no grace): for test teardown after failures. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.stopped = true;
    for (const c of this.containers.values()) for (const t of c.timers) clearTimeout(t);
    await docker([
      'rm',
      '--force',
      '--volumes',
      ...[...this.containers.values()].map((c) => c.dockerName),
      this.sandbox,
    ]);
    for (const c of this.containers.values()) for (const l of c.logs) await l.stop('SIGKILL', 100);
    await removeVolumes(this.volumes);
    releaseIp(this.ip);
  }
}

interface ImageInfo {
  user: string;
  stopSignal: string;
}

async function inspectImage(image: string): Promise<ImageInfo> {
  const r = await docker(['image', 'inspect', '--format', '{{json .Config}}', image]);
  if (r.code !== 0)
    throw new Error(
      `pod runner: image ${image} is not present locally (ErrImageNeverPull: no registry is reachable here; build the images first)`,
    );
  const cfg = JSON.parse(r.stdout) as { User?: string; StopSignal?: string };
  return { user: cfg.User ?? '', stopSignal: cfg.StopSignal || 'SIGTERM' };
}

/** Mounts the kubelet adds: its service-account volume, unless the container mounts that path itself. */
export function kubeletMounts(c: Container, automount: boolean): Container {
  const mounts = c.volumeMounts ?? [];
  if (!automount || mounts.some((m) => m.mountPath === SERVICE_ACCOUNT_DIR)) return c;
  return {
    ...c,
    volumeMounts: [
      ...mounts,
      { name: SERVICE_ACCOUNT_VOLUME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
    ],
  };
}

/** Starts one pod of `opts.workload`; resolves once its containers are started (not yet ready). */
export async function runPod(opts: RunPodOptions): Promise<RunningPod> {
  const template = opts.workload.spec.template;
  const spec = template.spec;
  assertSupported(template, opts.waivedResources);
  const images = new Map<string, ImageInfo>();
  for (const c of spec.containers) images.set(c.image, await inspectImage(c.image));

  await ensureNodeBridge();
  const ip = opts.ip ?? leaseIp();
  const name = opts.name ?? `${opts.workload.metadata.name}-${randomBytes(3).toString('hex')}`;
  const hostNetwork = spec.hostNetwork === true;
  const identity: PodIdentity = {
    name,
    namespace: opts.workload.metadata.namespace ?? 'default',
    uid: randomUUID(),
    podIP: ip,
    // A hostNetwork pod's namespace stands for its own node (a TURN node has its own address).
    hostIP: hostNetwork ? ip : NODE_IP,
    nodeName: hostNetwork ? `node-${ip.replaceAll('.', '-')}` : 'pod-runner-node',
    serviceAccountName: spec.serviceAccountName ?? 'default',
  };
  let volumes: PreparedVolumes | undefined;
  let pod: RunningPod | undefined;
  try {
    volumes = await prepareVolumes(spec, {
      pod: identity,
      secrets: opts.secrets,
      configMaps: opts.configMaps ?? {},
      cluster: opts.cluster,
    });
    pod = new RunningPod(identity, opts.workload, volumes);
    const injected: Array<[string, string]> = opts.cluster
      ? [
          ['KUBERNETES_SERVICE_HOST', opts.cluster.host],
          ['KUBERNETES_SERVICE_PORT', String(opts.cluster.port)],
        ]
      : [];
    const automount = automountsToken(spec);
    // Every container is planned before anything starts: a bad secret reference or user stops the pod whole.
    for (const raw of spec.containers) {
      const c = kubeletMounts(raw, automount);
      const image = images.get(c.image)!;
      const env = containerEnv(c, identity, opts.secrets, injected);
      const dockerName = `${name}-${c.name}`;
      pod.containers.set(c.name, {
        spec: c,
        dockerName,
        stopSignal: image.stopSignal,
        runArgs: containerRunArgs({
          spec,
          container: c,
          env,
          runAs: runAs(spec.securityContext, c, image.user),
          volumes: volumes.sources,
          dockerName,
          sandbox: pod.sandbox,
          labels: { [LABEL]: name },
        }),
        logs: [],
        ready: false,
        running: false,
        restartCount: 0,
        lastExitCode: undefined,
        exited: undefined,
        timers: [],
        restarting: false,
      });
    }
    const dns =
      spec.dnsPolicy === 'Default'
        ? []
        : [
            '--dns',
            CLUSTER_DNS_IP,
            '--dns-search',
            `${identity.namespace}.svc.cluster.local`,
            '--dns-search',
            'svc.cluster.local',
            '--dns-search',
            'cluster.local',
            '--dns-option',
            'ndots:5',
          ];
    // The sandbox holds the pod's namespaces, like the kubelet's pause container.
    const pause = await ensurePauseImage();
    await dockerOk([
      'run', '--detach', '--name', pod.sandbox, '--label', `${LABEL}=${name}`,
      '--network', 'none', '--hostname', hostNetwork ? identity.nodeName : name, ...dns,
      '--user', '65534:65534', '--read-only', '--cap-drop', 'ALL', pause,
    ]); // prettier-ignore
    const pid = Number((await dockerOk(['inspect', '--format', '{{.State.Pid}}', pod.sandbox])).trim());
    await attachPod(pid, ip);
    pod.note('sandbox ready', undefined, ip);
    for (const c of pod.containers.values()) await pod.startContainer(c, false);
    return pod;
  } catch (err) {
    if (pod) await pod.cleanup();
    else {
      if (volumes) await removeVolumes(volumes);
      releaseIp(ip);
    }
    throw err;
  }
}
