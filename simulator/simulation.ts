// The discrete-event simulation of one policy on one trace: router queue, ReplicaSet, pods, GPU nodes with
// the cluster autoscaler, the metrics path and the HPA. Deterministic: every random draw comes from a
// stream seeded by the run's seed, and simultaneous events run in insertion order.
import { EventQueue } from './event-queue.js';
import {
  gpuSlowdownSum,
  pickGpu,
  pickNode,
  podsPerNode,
  slotsPerNode,
  slotsPerPod,
  slowdownFactor,
  tracksGpus,
} from './gpu-packing.js';
import { HpaController } from './hpa.js';
import { DEFAULT_CONTROLLER_FLAGS, type ControllerFlags, type PodSample } from './hpa-types.js';
import { mean, sample } from './distribution.js';
import { MetricsPath, type PodGauges, type Snapshot } from './metrics-path.js';
import type { Arrival } from './arrivals.js';
import type { Model } from './model.js';
import type { Policy } from './policy.js';
import { Random } from './random.js';
import { rankForDeletion, type PodState } from './replica-set.js';
import { StartLog } from './start-log.js';

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

export const TURNED_AWAY = ['queueFull', 'timeout', 'gaveUp'] as const;
export type TurnedAwayReason = (typeof TURNED_AWAY)[number];

export interface Series {
  readonly t: number[];
  readonly replicas: number[];
  readonly ready: number[];
  readonly allocated: number[];
  readonly queued: number[];
  readonly arrivals: number[];
  readonly nodes: number[];
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

interface Pod {
  readonly id: number;
  state: PodState;
  terminating: boolean;
  node: number;
  readonly createdAt: number;
  boundAt: number;
  readyAt: number;
  player: number;
  /** GPU index on its node when pods share GPUs (-1 otherwise) */
  gpu: number;
}

interface Node {
  readonly id: number;
  readonly createdAt: number;
  ready: boolean;
  /** when a pre-pull in progress will have the image on this node (NaN = none running) */
  imageAt: number;
  gone: boolean;
  free: number;
  pods: number;
  emptySince: number;
  hasImage: boolean;
  /** pods bound and pods streaming per GPU (empty when pods take whole GPUs) */
  gpuPods: number[];
  gpuBusy: number[];
  /** pods streaming on this node */
  sessions: number;
}

const WAITING = 0;
const SERVED = 1;
const AWAY = 2;

export function simulate(input: SimulationInput): SimulationResult {
  const { model, policy } = input;
  const flags = input.flags ?? DEFAULT_CONTROLLER_FLAGS;
  const rng = new Random(input.seed);
  const rPods = rng.fork('pods');
  const rNodes = rng.fork('nodes');
  const rPlayers = rng.fork('players');
  const rPhase = rng.fork('phase');
  const rPrepull = rng.fork('prepull');
  const warm = policy.warm ?? { balloons: 0, prepull: false };
  const starts = new StartLog();
  const H = input.horizonSeconds;
  const arrivals = input.arrivals.filter((a) => a.at < H);
  const n = arrivals.length;
  const startupSeconds = mean(model.scheduling) + mean(model.imagePullCached) + mean(model.appStart);

  const waits = new Float64Array(n).fill(NaN);
  const servedBy = new Int32Array(n).fill(-1);
  const streamStart = new Float64Array(n).fill(NaN);
  const streamEnd = new Float64Array(n).fill(NaN);
  const status = new Uint8Array(n);
  const turnedAway: Record<TurnedAwayReason, number> = { queueFull: 0, timeout: 0, gaveUp: 0 };
  let waiting = 0;
  const queue: number[] = [];
  let queueHead = 0;
  let queueLen = 0;
  let arrivalsTotal = 0;

  const pods: Pod[] = [];
  let live: Pod[] = [];
  const podGpu: [number, number][] = [];
  const nodes: Node[] = [];
  /** nodes not yet removed (the full list keeps every node ever created, indexed by id) */
  let alive: Node[] = [];
  let pendingPods = 0;
  let specReplicas = 0;
  let scaleUps = 0;
  let scaleDowns = 0;
  let sessionsCut = 0;

  // Integrals, advanced before every event.
  let now = 0;
  let lastT = 0;
  let gpuPods = 0;
  let busyPods = 0;
  let liveNodes = 0;
  let gpuSeconds = 0;
  let busyGpuSeconds = 0;
  let nodeGpuSeconds = 0;
  let nodeSeconds = 0;
  let slowSum = 0; // Σ over streaming pods of their slowdown factor
  let slowSeconds = 0;
  let streamSeconds = 0;
  /** GPUs one pod holds: a share of one when GPUs are shared */
  const gpuShare = slotsPerPod(model) / model.streamsPerGpu;
  const podSlots = slotsPerPod(model);
  const perGpu = tracksGpus(model);
  const advance = (t: number) => {
    const dt = t - lastT;
    if (dt > 0) {
      gpuSeconds += gpuPods * gpuShare * dt;
      busyGpuSeconds += busyPods * gpuShare * dt;
      nodeGpuSeconds += liveNodes * model.gpusPerNode * dt;
      nodeSeconds += liveNodes * dt;
      slowSeconds += slowSum * dt;
      streamSeconds += busyPods * dt;
      lastT = t;
    }
    now = t;
  };

  const q = new EventQueue<Ev>();
  const at = (t: number, k: Kind, a = 0) => q.push(t, { k, a });
  const hpa = new HpaController(policy.hpa, flags);
  /** per-pod gauges are only kept when a Pods metric reads them */
  const needPerPod = policy.hpa.metrics.some((m) => m.source === 'Pods');
  const metrics = new MetricsPath(
    model.adapterDelaySeconds,
    model.adapterRelistSeconds,
    model.rateWindowSeconds,
  );

  // ---- nodes ----
  const addNode = (ready: boolean) => {
    const node: Node = {
      id: nodes.length,
      createdAt: now,
      imageAt: NaN,
      ready,
      gone: false,
      free: slotsPerNode(model),
      pods: 0,
      emptySince: now,
      hasImage: ready,
      gpuPods: perGpu ? new Array<number>(model.gpusPerNode).fill(0) : [],
      gpuBusy: perGpu ? new Array<number>(model.gpusPerNode).fill(0) : [],
      sessions: 0,
    };
    nodes.push(node);
    alive.push(node);
    liveNodes++;
    if (!ready) at(now + sample(model.nodeStartup, rNodes), Kind.NodeReady, node.id);
    return node;
  };

  // ---- pods ----
  const createPod = () => {
    const pod: Pod = {
      id: pods.length,
      state: 'pending',
      terminating: false,
      node: -1,
      createdAt: now,
      boundAt: NaN,
      readyAt: NaN,
      player: -1,
      gpu: -1,
    };
    pods.push(pod);
    live.push(pod);
    pendingPods++;
    podGpu.push([NaN, NaN]);
    return pod;
  };
  const bind = (pod: Pod, node: Node) => {
    pendingPods--;
    node.free -= podSlots;
    node.pods++;
    if (perGpu) {
      pod.gpu = pickGpu(node.gpuPods, model.streamsPerGpu);
      node.gpuPods[pod.gpu]!++;
    }
    pod.node = node.id;
    pod.state = 'binding';
    pod.boundAt = now;
    podGpu[pod.id]![0] = now;
    gpuPods++;
  };
  // Balloons: placeholder pods holding a GPU each at a negative priority; node id, or -1 while pending.
  const balloons: number[] = new Array<number>(warm.balloons).fill(-1);
  let pendingBalloons = warm.balloons;
  /** The node the scheduler picks for one pod's worth of GPU, as for streamer pods. */
  const freeNode = (): Node | undefined => alive[pickNode(alive, podSlots, model.packing)];
  /** The scheduler preempts a balloon for a pending streamer pod when no GPU is free; its node is returned. */
  const preemptBalloon = (): Node | undefined => {
    const i = balloons.findIndex((nid) => nid >= 0);
    if (i < 0) return undefined;
    const node = nodes[balloons[i]!]!;
    balloons[i] = -1;
    pendingBalloons++;
    node.free += podSlots;
    node.pods--;
    return node;
  };
  const scheduleBalloons = () => {
    for (let i = 0; i < balloons.length && pendingBalloons > 0; i++) {
      if (balloons[i]! >= 0) continue;
      const node = freeNode();
      if (node === undefined) return;
      node.free -= podSlots;
      node.pods++;
      balloons[i] = node.id;
      pendingBalloons--;
    }
  };
  const schedulePending = () => {
    if (pendingPods > 0)
      for (const pod of live) {
        if (pod.state !== 'pending' || pod.terminating) continue;
        const node = freeNode() ?? preemptBalloon();
        if (node === undefined) break;
        bind(pod, node);
        at(now + sample(model.scheduling, rPods), Kind.PodBound, pod.id);
      }
    if (pendingBalloons > 0) scheduleBalloons();
  };
  const exitPod = (pod: Pod) => {
    if (pod.state === 'gone') return;
    if (pod.state === 'pending') pendingPods--;
    if (pod.node >= 0) {
      const node = nodes[pod.node]!;
      node.free += podSlots;
      node.pods--;
      if (pod.gpu >= 0) node.gpuPods[pod.gpu]!--;
      if (node.pods === 0) node.emptySince = now;
      podGpu[pod.id]![1] = now;
      gpuPods--;
    }
    pod.state = 'gone';
    live = live.filter((p) => p !== pod);
    schedulePending();
  };
  const deletePod = (pod: Pod) => {
    pod.terminating = true;
    if (pod.state === 'pending') {
      exitPod(pod);
    } else if (pod.player >= 0) {
      // Drain: the sidecar refuses new players and waits for the session, up to the drain timeout.
      at(now + model.drainTimeoutSeconds, Kind.DrainTimeout, pod.id);
    } else {
      at(now + model.terminationSeconds, Kind.PodExit, pod.id);
    }
  };
  const reconcileReplicaSet = () => {
    const active = live.filter((p) => !p.terminating);
    if (active.length < specReplicas) {
      for (let i = active.length; i < specReplicas; i++) createPod();
      schedulePending();
    } else if (active.length > specReplicas) {
      const victims = rankForDeletion(
        active.map((p) => ({
          id: p.id,
          state: p.state,
          ready: p.state === 'ready',
          allocated: p.player >= 0,
          podsOnNode: p.node >= 0 ? nodes[p.node]!.pods : 0,
          sessionsOnNode: p.node >= 0 ? nodes[p.node]!.sessions : 0,
          readyAt: p.readyAt,
          createdAt: p.createdAt,
        })),
        model.deletionOrder,
      ).slice(0, active.length - specReplicas);
      for (const v of victims) deletePod(pods[v.id]!);
    }
  };

  /** A stream starts (+1) or ends (-1) on the pod's node and GPU: session counts and the slowdown sum. */
  const streaming = (pod: Pod, delta: 1 | -1) => {
    const node = nodes[pod.node]!;
    node.sessions += delta;
    if (pod.gpu < 0) {
      slowSum += delta;
      return;
    }
    const before = node.gpuBusy[pod.gpu]!;
    node.gpuBusy[pod.gpu] = before + delta;
    slowSum +=
      gpuSlowdownSum(before + delta, model.coTenantSlowdown) - gpuSlowdownSum(before, model.coTenantSlowdown);
  };
  /** An app starting next to `k` streaming co-tenants starts slower, like their streams run slower. */
  const startFactor = (pod: Pod) =>
    pod.gpu < 0 ? 1 : slowdownFactor(nodes[pod.node]!.gpuBusy[pod.gpu]! + 1, model.coTenantSlowdown);

  // ---- router ----
  const firstAvailable = (): Pod | undefined => {
    for (const p of live) if (p.state === 'ready' && !p.terminating && p.player < 0) return p;
    return undefined;
  };
  const assign = (i: number, pod: Pod) => {
    if (pod.player >= 0) throw new Error(`invariant: pod ${pod.id} already streams to player ${pod.player}`);
    pod.player = i;
    busyPods++;
    streaming(pod, +1);
    status[i] = SERVED;
    waits[i] = now - arrivals[i]!.at;
    servedBy[i] = pod.id;
    streamStart[i] = now;
    at(now + arrivals[i]!.session, Kind.SessionEnd, i);
  };
  const serveQueue = () => {
    while (queueLen > 0) {
      const pod = firstAvailable();
      if (pod === undefined) return;
      while (status[queue[queueHead]!] !== WAITING) queueHead++;
      const i = queue[queueHead++]!;
      queueLen--;
      waiting--;
      assign(i, pod);
    }
  };
  const leaveQueue = (i: number, reason: TurnedAwayReason) => {
    status[i] = AWAY;
    turnedAway[reason]++;
    queueLen--;
    waiting--;
  };
  const endSession = (pod: Pod, i: number) => {
    pod.player = -1;
    busyPods--;
    streaming(pod, -1);
    streamEnd[i] = now;
  };

  // ---- metrics ----
  const scrape = (): Snapshot => {
    let scrapedPods = 0;
    let allocated = 0;
    let available = 0;
    let streamers = 0;
    let draining = 0;
    const perPod = new Map<number, PodGauges>();
    for (const p of live) {
      if (p.state !== 'starting' && p.state !== 'ready') continue; // sidecar serves metrics once Running
      scrapedPods++;
      const g: PodGauges = {
        allocated: p.player >= 0 ? 1 : 0,
        available: p.state === 'ready' && !p.terminating && p.player < 0 ? 1 : 0,
        connected: p.state === 'ready' ? 1 : 0,
        draining: p.terminating ? 1 : 0,
      };
      if (needPerPod) perPod.set(p.id, g);
      if (p.terminating) {
        draining++;
        continue;
      }
      allocated += g.allocated;
      available += g.available;
      streamers += g.connected;
    }
    return {
      time: now,
      scrapedPods,
      allocated,
      available,
      streamers,
      players: allocated,
      draining,
      queued: queueLen,
      arrivalsTotal,
      perPod,
    };
  };

  const hpaSync = () => {
    const view = metrics.view(now);
    const active = live.filter((p) => !p.terminating);
    const result = hpa.sync(now, {
      specReplicas,
      statusReplicas: active.length,
      readyPods: active.filter((p) => p.state === 'ready').length,
      objectMetric: (name) =>
        view === undefined
          ? undefined
          : policy.objectValue(name, {
              snapshot: view,
              arrivalRate: metrics.rate(view, model.rateWindowSeconds),
              startupSeconds,
              podReadySeconds: starts.podMean(now),
              nodeReadySeconds: starts.nodeMean(now),
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
    if (result.rescale) {
      if (result.desiredReplicas > specReplicas) scaleUps++;
      else scaleDowns++;
      specReplicas = result.desiredReplicas;
      reconcileReplicaSet();
    }
  };

  const caScan = () => {
    // Balloons sit above the cluster autoscaler's expendable cutoff: pending ones ask for nodes too.
    const unschedulable = pendingPods + pendingBalloons;
    const perNode = podsPerNode(model);
    const booting = alive.filter((nd) => !nd.ready).length;
    const need = Math.ceil(Math.max(0, unschedulable - booting * perNode) / Math.max(perNode, 1));
    const total = alive.length;
    for (let i = 0; i < Math.min(need, model.maxNodes - total); i++) addNode(false);
    let remaining = alive.length;
    let removed = false;
    for (const nd of alive) {
      if (remaining <= model.minNodes) break;
      if (nd.ready && nd.pods === 0 && now - nd.emptySince >= model.nodeUnneededSeconds) {
        nd.gone = true;
        liveNodes--;
        remaining--;
        removed = true;
      }
    }
    if (removed) alive = alive.filter((nd) => !nd.gone);
  };

  // ---- series ----
  const sampleEvery = input.sampleSeconds ?? Math.max(15, H / 720);
  const series: Series = {
    t: [],
    replicas: [],
    ready: [],
    allocated: [],
    queued: [],
    arrivals: [],
    nodes: [],
  };
  let arrivalsSinceSample = 0;
  const takeSample = () => {
    series.t.push(now);
    series.replicas.push(specReplicas);
    series.ready.push(live.filter((p) => p.state === 'ready' && !p.terminating).length);
    series.allocated.push(busyPods);
    series.queued.push(queueLen);
    series.arrivals.push(arrivalsSinceSample);
    series.nodes.push(liveNodes);
    arrivalsSinceSample = 0;
  };

  // ---- initial state: minReplicas warm pods on warm nodes ----
  const initial = input.initialReplicas ?? policy.hpa.minReplicas;
  const perNode = podsPerNode(model);
  for (let i = 0; i < Math.max(model.minNodes, Math.ceil(initial / perNode)); i++) addNode(true);
  specReplicas = initial;
  for (let i = 0; i < initial; i++) {
    const pod = createPod();
    const node = nodes.find((nd) => nd.free >= podSlots)!;
    bind(pod, node);
    pod.state = 'ready';
    pod.readyAt = 0;
  }
  // Balloons start on warm nodes of their own; the image is there when a pre-pull DaemonSet runs.
  for (let i = 0; i < warm.balloons; i++) {
    const spare = freeNode() ?? addNode(true);
    if (!warm.prepull && spare.pods === 0) spare.hasImage = false;
    scheduleBalloons();
  }

  arrivals.forEach((a, i) => at(a.at, Kind.Arrival, i));
  at(rPhase.next() * model.scrapeIntervalSeconds, Kind.Scrape);
  at(rPhase.next() * flags.syncPeriodSeconds, Kind.HpaSync);
  at(rPhase.next() * model.caScanSeconds, Kind.CaScan);
  at(0, Kind.Sample);

  let handled = 0;
  for (;;) {
    const item = q.pop();
    if (item === undefined) break;
    if (item.time >= H && waiting === 0) break;
    advance(item.time);
    const { k, a } = item.event;
    switch (k) {
      case Kind.Arrival: {
        arrivalsTotal++;
        arrivalsSinceSample++;
        const pod = firstAvailable();
        if (pod !== undefined) {
          assign(a, pod);
        } else if (queueLen >= model.queueMax) {
          status[a] = AWAY;
          turnedAway.queueFull++;
        } else {
          queue.push(a);
          queueLen++;
          waiting++;
          const patience = model.giveUp === undefined ? Infinity : sample(model.giveUp, rPlayers);
          if (patience < model.queueTimeoutSeconds) at(now + patience, Kind.GiveUp, a + n);
          else at(now + model.queueTimeoutSeconds, Kind.GiveUp, a);
        }
        break;
      }
      case Kind.GiveUp: {
        const i = a >= n ? a - n : a;
        if (status[i] === WAITING) leaveQueue(i, a >= n ? 'gaveUp' : 'timeout');
        break;
      }
      case Kind.SessionEnd: {
        const pod = pods[servedBy[a]!]!;
        if (pod.player !== a) break; // cut earlier by a drain timeout
        endSession(pod, a);
        if (pod.terminating) exitPod(pod);
        else serveQueue();
        break;
      }
      case Kind.DrainTimeout: {
        const pod = pods[a]!;
        if (pod.state === 'gone') break;
        if (pod.player >= 0) {
          sessionsCut++;
          endSession(pod, pod.player);
        }
        exitPod(pod);
        break;
      }
      case Kind.PodExit:
        exitPod(pods[a]!);
        break;
      case Kind.PodBound: {
        const pod = pods[a]!;
        if (pod.state !== 'binding' || pod.terminating) break;
        pod.state = 'pulling';
        const node = nodes[pod.node]!;
        const cached = node.hasImage || node.imageAt > now;
        const pulled = now + sample(cached ? model.imagePullCached : model.imagePull, rPods);
        // A pre-pull under way: the kubelet waits for the same layers rather than pulling them twice.
        at(node.imageAt > pulled ? node.imageAt : pulled, Kind.PodPulled, pod.id);
        break;
      }
      case Kind.PodPulled: {
        const pod = pods[a]!;
        if (pod.state !== 'pulling' || pod.terminating) break;
        nodes[pod.node]!.hasImage = true;
        pod.state = 'starting';
        at(now + sample(model.appStart, rPods) * startFactor(pod), Kind.PodReady, pod.id);
        break;
      }
      case Kind.PodReady: {
        const pod = pods[a]!;
        if (pod.state !== 'starting' || pod.terminating) break;
        pod.state = 'ready';
        pod.readyAt = now;
        starts.pod(now, now - pod.createdAt);
        serveQueue();
        break;
      }
      case Kind.NodeReady: {
        const node = nodes[a]!;
        node.ready = true;
        node.emptySince = now;
        starts.node(now, now - node.createdAt);
        if (warm.prepull && !node.hasImage) {
          node.imageAt = now + sample(model.imagePull, rPrepull);
          at(node.imageAt, Kind.NodeImage, node.id);
        }
        schedulePending();
        break;
      }
      case Kind.NodeImage:
        nodes[a]!.hasImage = true;
        break;
      case Kind.Scrape:
        metrics.record(scrape());
        at(now + model.scrapeIntervalSeconds, Kind.Scrape);
        break;
      case Kind.HpaSync:
        hpaSync();
        at(now + flags.syncPeriodSeconds, Kind.HpaSync);
        break;
      case Kind.CaScan:
        caScan();
        at(now + model.caScanSeconds, Kind.CaScan);
        break;
      case Kind.Sample:
        takeSample();
        at(now + sampleEvery, Kind.Sample);
        break;
    }
    if (input.onProgress !== undefined && ++handled % 20000 === 0) input.onProgress(Math.min(1, now / H));
  }
  const endTime = Math.max(H, now);
  advance(endTime);
  for (const iv of podGpu) if (!Number.isNaN(iv[0]) && Number.isNaN(iv[1])) iv[1] = endTime;
  for (let i = 0; i < n; i++)
    if (status[i] === SERVED && Number.isNaN(streamEnd[i]!))
      streamEnd[i] = Math.min(endTime, streamStart[i]! + arrivals[i]!.session);

  return {
    policy: policy.name,
    endTime,
    players: n,
    waits,
    servedBy,
    streamStart,
    streamEnd,
    turnedAway,
    sessionsCut,
    gpuSeconds,
    busyGpuSeconds,
    nodeGpuSeconds,
    nodeSeconds,
    streamSlowdown: streamSeconds > 0 ? slowSeconds / streamSeconds : 1,
    scaleUps,
    scaleDowns,
    podsCreated: pods.length,
    nodesCreated: nodes.length,
    podGpuIntervals: podGpu.filter((iv) => !Number.isNaN(iv[0])),
    series,
  };
}
