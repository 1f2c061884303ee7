// The discrete-event simulation of one policy on one trace, composed of the router queue
// (router-queue.ts), the ReplicaSet and its pods (replica-set.ts), the GPU nodes with the cluster autoscaler
// (cluster.ts), the metrics path (metrics-path.ts) and the HPA (hpa.ts). Those hold the state and make the
// decisions; this file only turns the times they return into events and routes each event to them.
// Deterministic: every random draw comes from a stream seeded by the run's seed, and simultaneous events
// run in insertion order.
import type { Arrival } from './arrivals.js';
import { Cluster } from './cluster.js';
import { mean } from './distribution.js';
import { EventQueue } from './event-queue.js';
import { slotsPerPod } from './gpu-packing.js';
import { HpaController } from './hpa.js';
import { DEFAULT_CONTROLLER_FLAGS, type ControllerFlags, type PodSample } from './hpa-types.js';
import { MetricsPath } from './metrics-path.js';
import type { Model } from './model.js';
import type { Policy } from './policy.js';
import { Random } from './random.js';
import { ReplicaSet, type SimPod } from './replica-set.js';
import { RouterQueue, type TurnedAwayReason } from './router-queue.js';
import { SeriesRecorder, type Series } from './series.js';
import { StartLog } from './start-log.js';
import { Usage } from './usage.js';

export interface SimulationInput {
  readonly arrivals: readonly Arrival[];
  /** arrivals at or after this time are ignored; the run continues past it until no player waits */
  readonly horizonSeconds: number;
  readonly policy: Policy;
  readonly model: Model;
  readonly seed: number;
  readonly flags?: ControllerFlags;
  /** replicas (Ready, on warm nodes) at t = 0; default the policy's minReplicas */
  readonly initialReplicas?: number;
  /** spacing of the plotted time series; default horizon / 720, at least 15 s */
  readonly sampleSeconds?: number;
  readonly onProgress?: (fraction: number) => void;
}

export interface SimulationResult {
  readonly policy: string;
  readonly endTime: number;
  readonly players: number;
  /** per player: seconds waited before the stream (NaN when turned away) */
  readonly waits: Float64Array;
  /** per player: pod id that served it, -1 when turned away */
  readonly servedBy: Int32Array;
  /** per player: stream start and end (NaN when turned away) */
  readonly streamStart: Float64Array;
  readonly streamEnd: Float64Array;
  readonly turnedAway: Record<TurnedAwayReason, number>;
  /** sessions cut because a draining pod hit DRAIN_TIMEOUT_SECONDS */
  readonly sessionsCut: number;
  /** ∫ pods holding GPUs dt × GPUs per pod (seconds) */
  readonly gpuSeconds: number;
  /** ∫ streaming pods dt × GPUs per pod (seconds) */
  readonly busyGpuSeconds: number;
  /** ∫ GPU nodes (booting or up) dt × GPUs per node (seconds): what the cloud bills */
  readonly nodeGpuSeconds: number;
  /** ∫ GPU nodes (booting or up) dt (seconds) */
  readonly nodeSeconds: number;
  /** time-weighted mean slowdown of streaming (1 = as fast as alone on a GPU; see model.coTenantSlowdown) */
  readonly streamSlowdown: number;
  readonly scaleUps: number;
  readonly scaleDowns: number;
  readonly podsCreated: number;
  readonly nodesCreated: number;
  /** per pod: [GPU bound at, GPU released at] (release = endTime if still held) */
  readonly podGpuIntervals: readonly (readonly [number, number])[];
  readonly series: Series;
}

/** Event kinds; the argument is a player, pod or node index (a give-up timer's token for GiveUp). */
const enum Kind {
  Arrival,
  SessionEnd,
  GiveUp,
  HpaSync,
  Scrape,
  CaScan,
  Sample,
  PodBound,
  PodPulled,
  PodReady,
  PodExit,
  DrainTimeout,
  NodeReady,
  NodeImage,
}
interface Ev {
  readonly k: Kind;
  readonly a: number;
}

export function simulate(input: SimulationInput): SimulationResult {
  const run = new Run(input);
  run.start();
  while (run.step());
  return run.finish();
}

/** One run: the parts, the clock and the agenda, and which part each event goes to. */
class Run {
  private readonly model: Model;
  private readonly policy: Policy;
  private readonly flags: ControllerFlags;
  private readonly horizon: number;
  private readonly arrivals: readonly Arrival[];
  private readonly router: RouterQueue;
  private readonly rs: ReplicaSet;
  private readonly cluster: Cluster;
  private readonly usage: Usage;
  private readonly series = new SeriesRecorder();
  private readonly starts = new StartLog();
  private readonly metrics: MetricsPath;
  private readonly hpa: HpaController;
  private readonly rPhase: Random;
  private readonly agenda = new EventQueue<Ev>();
  /** per-pod gauges are only kept when a Pods metric reads them */
  private readonly needPerPod: boolean;
  /** mean pod start-up the model assumes (scheduling + cached pull + app start) */
  private readonly startupSeconds: number;
  private readonly sampleEvery: number;
  private now = 0;
  private handled = 0;

  constructor(private readonly input: SimulationInput) {
    const { model, policy } = input;
    this.model = model;
    this.policy = policy;
    this.flags = input.flags ?? DEFAULT_CONTROLLER_FLAGS;
    this.horizon = input.horizonSeconds;
    const rng = new Random(input.seed);
    const rPods = rng.fork('pods');
    const rNodes = rng.fork('nodes');
    const rPlayers = rng.fork('players');
    this.rPhase = rng.fork('phase');
    const rPrepull = rng.fork('prepull');
    this.arrivals = input.arrivals.filter((a) => a.at < this.horizon);
    this.router = new RouterQueue(this.arrivals, model, rPlayers);
    this.rs = new ReplicaSet(model, rPods);
    this.cluster = new Cluster(model, policy.warm ?? { balloons: 0, prepull: false }, rNodes, rPrepull);
    this.usage = new Usage(slotsPerPod(model) / model.streamsPerGpu, model.gpusPerNode);
    this.metrics = new MetricsPath(
      model.adapterDelaySeconds,
      model.adapterRelistSeconds,
      model.rateWindowSeconds,
    );
    this.hpa = new HpaController(policy.hpa, this.flags);
    this.needPerPod = policy.hpa.metrics.some((m) => m.source === 'Pods');
    this.startupSeconds = mean(model.scheduling) + mean(model.imagePullCached) + mean(model.appStart);
    this.sampleEvery = input.sampleSeconds ?? Math.max(15, this.horizon / 720);
  }

  private at(t: number, k: Kind, a = 0): void {
    this.agenda.push(t, { k, a });
  }

  /** minReplicas (or initialReplicas) Ready pods on warm nodes, the balloons, and the first events. */
  start(): void {
    const initial = this.input.initialReplicas ?? this.policy.hpa.minReplicas;
    this.cluster.warmStart(initial);
    this.rs.specReplicas = initial;
    for (let i = 0; i < initial; i++) {
      const node = this.cluster.firstWithRoom()!;
      this.rs.warm(node, this.cluster.occupy(node));
    }
    this.cluster.warmBalloons();
    this.arrivals.forEach((a, i) => this.at(a.at, Kind.Arrival, i));
    this.at(this.rPhase.next() * this.model.scrapeIntervalSeconds, Kind.Scrape);
    this.at(this.rPhase.next() * this.flags.syncPeriodSeconds, Kind.HpaSync);
    this.at(this.rPhase.next() * this.model.caScanSeconds, Kind.CaScan);
    this.at(0, Kind.Sample);
  }

  /** Runs the next event; false when the run is over (past the horizon with nobody waiting). */
  step(): boolean {
    const item = this.agenda.pop();
    if (item === undefined) return false;
    if (item.time >= this.horizon && this.router.length === 0) return false;
    this.advance(item.time);
    this.handle(item.event);
    const onProgress = this.input.onProgress;
    if (onProgress !== undefined && ++this.handled % 20000 === 0)
      onProgress(Math.min(1, this.now / this.horizon));
    return true;
  }

  private advance(t: number): void {
    const { rs, cluster } = this;
    this.usage.advance(t, {
      bound: rs.bound,
      streaming: rs.streaming,
      liveNodes: cluster.liveNodes,
      slowSum: cluster.slowSum,
    });
    this.now = t;
  }

  private handle({ k, a }: Ev): void {
    const { model, now, rs, cluster } = this;
    switch (k) {
      case Kind.Arrival:
        return this.arrival(a);
      case Kind.GiveUp:
        return this.router.giveUp(a);
      case Kind.SessionEnd: {
        const pod = rs.pod(this.router.servedBy[a]!);
        if (pod.player !== a) return; // cut earlier by a drain timeout
        this.endStream(pod);
        if (pod.terminating) this.exit(pod);
        else this.serveQueue();
        return;
      }
      case Kind.DrainTimeout: {
        const pod = rs.pod(a);
        if (pod.state === 'gone') return;
        if (pod.player >= 0) {
          rs.sessionsCut++;
          this.endStream(pod);
        }
        return this.exit(pod);
      }
      case Kind.PodExit:
        return this.exit(rs.pod(a));
      case Kind.PodBound: {
        const pod = rs.pod(a);
        const pulled = rs.pullStarts(pod, cluster.node(pod.node), now);
        if (pulled !== undefined) this.at(pulled, Kind.PodPulled, pod.id);
        return;
      }
      case Kind.PodPulled: {
        const pod = rs.pod(a);
        const ready = rs.appStarts(pod, now, (p) => cluster.startFactor(cluster.node(p.node), p.gpu));
        if (ready === undefined) return;
        cluster.node(pod.node).hasImage = true;
        this.at(ready, Kind.PodReady, pod.id);
        return;
      }
      case Kind.PodReady: {
        const pod = rs.pod(a);
        if (!rs.ready(pod, now)) return;
        this.starts.pod(now, now - pod.createdAt);
        return this.serveQueue();
      }
      case Kind.NodeReady: {
        const node = cluster.node(a);
        const imageAt = cluster.nodeReady(node, now);
        this.starts.node(now, now - node.createdAt);
        if (!Number.isNaN(imageAt)) this.at(imageAt, Kind.NodeImage, node.id);
        return this.schedulePending();
      }
      case Kind.NodeImage:
        cluster.node(a).hasImage = true;
        return;
      case Kind.Scrape:
        this.scrape();
        return this.at(now + model.scrapeIntervalSeconds, Kind.Scrape);
      case Kind.HpaSync:
        this.hpaSync();
        return this.at(now + this.flags.syncPeriodSeconds, Kind.HpaSync);
      case Kind.CaScan:
        this.caScan();
        return this.at(now + model.caScanSeconds, Kind.CaScan);
      case Kind.Sample:
        this.series.take(now, {
          replicas: rs.specReplicas,
          ready: rs.readyCount(),
          allocated: rs.streaming,
          queued: this.router.length,
          nodes: cluster.liveNodes,
        });
        return this.at(now + this.sampleEvery, Kind.Sample);
    }
  }

  // ---- router ----
  private arrival(i: number): void {
    this.router.arrivalsTotal++;
    this.series.arrived();
    const pod = this.rs.firstAvailable();
    if (pod !== undefined) return this.startStream(i, pod);
    const timer = this.router.enqueue(i, this.now);
    if (timer !== undefined) this.at(timer.at, Kind.GiveUp, timer.token);
  }

  /** Free streams go to waiting players, oldest first. */
  private serveQueue(): void {
    while (this.router.length > 0) {
      const pod = this.rs.firstAvailable();
      if (pod === undefined) return;
      this.startStream(this.router.next(), pod);
    }
  }

  private startStream(i: number, pod: SimPod): void {
    this.rs.startStream(pod, i);
    this.cluster.streaming(this.cluster.node(pod.node), pod.gpu, +1);
    this.at(this.router.serve(i, pod.id, this.now), Kind.SessionEnd, i);
  }

  private endStream(pod: SimPod): void {
    const i = pod.player;
    this.rs.endStream(pod);
    this.cluster.streaming(this.cluster.node(pod.node), pod.gpu, -1);
    this.router.ended(i, this.now);
  }

  // ---- pods on nodes ----
  private schedulePending(): void {
    for (const { pod, at } of this.rs.schedule(this.now, this.cluster)) this.at(at, Kind.PodBound, pod.id);
    this.cluster.scheduleBalloons();
  }

  private exit(pod: SimPod): void {
    if (!this.rs.exit(pod, this.now)) return;
    if (pod.node >= 0) this.cluster.release(this.cluster.node(pod.node), pod.gpu, this.now);
    this.schedulePending();
  }

  private reconcile(): void {
    const { rs } = this;
    const shortfall = rs.shortfall();
    if (shortfall > 0) {
      for (let i = 0; i < shortfall; i++) rs.create(this.now);
      this.schedulePending();
    } else if (shortfall < 0) {
      for (const pod of rs.victims(-shortfall, (id) => this.cluster.node(id))) {
        const how = rs.delete(pod);
        if (how === 'exit') this.exit(pod);
        // Drain: the sidecar refuses new players and waits for the session, up to the drain timeout.
        else if (how === 'drain')
          this.at(this.now + this.model.drainTimeoutSeconds, Kind.DrainTimeout, pod.id);
        else this.at(this.now + this.model.terminationSeconds, Kind.PodExit, pod.id);
      }
    }
  }

  // ---- metrics, HPA, cluster autoscaler ----
  private scrape(): void {
    const totals = this.rs.gauges(this.needPerPod);
    this.metrics.record({
      time: this.now,
      ...totals,
      players: totals.allocated,
      queued: this.router.length,
      arrivalsTotal: this.router.arrivalsTotal,
    });
  }

  private hpaSync(): void {
    const { now, rs, metrics, policy, model } = this;
    const view = metrics.view(now);
    const active = rs.active();
    const result = this.hpa.sync(now, {
      specReplicas: rs.specReplicas,
      statusReplicas: active.length,
      readyPods: active.filter((p) => p.state === 'ready').length,
      objectMetric: (name) =>
        view === undefined
          ? undefined
          : policy.objectValue(name, {
              snapshot: view,
              arrivalRate: metrics.rate(view, model.rateWindowSeconds),
              startupSeconds: this.startupSeconds,
              podReadySeconds: this.starts.podMean(now),
              nodeReadySeconds: this.starts.nodeMean(now),
            }),
      podMetric: (name): PodSample[] | undefined => {
        if (active.length === 0) return undefined;
        return active.map((p) => {
          const g = view?.perPod.get(p.id);
          const pending = p.state === 'pending' || p.state === 'binding' || p.state === 'pulling';
          return { pending, value: g === undefined ? undefined : policy.podValue(name, g) };
        });
      },
    });
    if (!result.rescale) return;
    rs.scale(result.desiredReplicas);
    this.reconcile();
  }

  private caScan(): void {
    const { cluster, now } = this;
    const add = cluster.nodesToAdd(this.rs.pending);
    for (let i = 0; i < add; i++) {
      const { node, readyAt } = cluster.request(now);
      this.at(readyAt, Kind.NodeReady, node.id);
    }
    cluster.removeUnneeded(now);
  }

  finish(): SimulationResult {
    const endTime = Math.max(this.horizon, this.now);
    this.advance(endTime);
    const { router, rs, usage } = this;
    router.finish(endTime);
    return {
      policy: this.policy.name,
      endTime,
      players: router.players,
      waits: router.waits,
      servedBy: router.servedBy,
      streamStart: router.streamStart,
      streamEnd: router.streamEnd,
      turnedAway: router.turnedAway,
      sessionsCut: rs.sessionsCut,
      gpuSeconds: usage.gpuSeconds,
      busyGpuSeconds: usage.busyGpuSeconds,
      nodeGpuSeconds: usage.nodeGpuSeconds,
      nodeSeconds: usage.nodeSeconds,
      streamSlowdown: usage.streamSlowdown,
      scaleUps: rs.scaleUps,
      scaleDowns: rs.scaleDowns,
      podsCreated: rs.pods.length,
      nodesCreated: this.cluster.nodes.length,
      podGpuIntervals: rs.gpuHeld(endTime),
      series: this.series.series,
    };
  }
}
