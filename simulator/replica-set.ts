// The streamer ReplicaSet: its pods and their lifecycle (pending → bound → image pulled → app started →
// Ready, and out again by exit or drain), the replica count the HPA sets, and which pods it deletes when it
// scales down: the controller's ranking (unscheduled, then pending, then not ready, then — when the sidecar
// sets it — lower pod-deletion-cost (weighted by the node's fill), then more pods on the same node, then
// ready for less time, then newest). Without deletion costs an allocated pod can be picked, which drains a
// live session; with them idle pods always go first, those on the emptiest nodes before the others.
// State lives here; the simulation turns the times these methods return into events.
import { deletionCost } from '../common/pod-marks.js';
import { sample } from './distribution.js';
import type { PodGauges } from './metrics-path.js';
import type { DeletionOrder, Model } from './model.js';
import type { Random } from './random.js';

export type PodState = 'pending' | 'binding' | 'pulling' | 'starting' | 'ready' | 'gone';

export interface RankedPod {
  readonly id: number;
  readonly state: PodState;
  readonly ready: boolean;
  readonly allocated: boolean;
  readonly podsOnNode: number;
  /** pods with a session on the same node (itself included) */
  readonly sessionsOnNode: number;
  readonly readyAt: number;
  readonly createdAt: number;
}

/** pod phase order: unassigned < Pending (assigned, containers not started) < Running */
const PHASE_RANK: Record<PodState, number> = {
  pending: 0,
  binding: 1,
  pulling: 1,
  starting: 2,
  ready: 2,
  gone: 3,
};
/**
 * The cost the sidecar's pod patcher writes (common/pod-marks.ts): any allocated pod outranks every idle
 * one; within each, pods on nodes with fewer sessions, then fewer pods, go first.
 */
const cost = (p: RankedPod) => deletionCost(p.allocated, { pods: p.podsOnNode, sessions: p.sessionsOnNode });

/** Pods in the order the ReplicaSet deletes them (first = deleted first). */
export function rankForDeletion(pods: readonly RankedPod[], order: DeletionOrder): RankedPod[] {
  return [...pods].sort(
    (a, b) =>
      PHASE_RANK[a.state] - PHASE_RANK[b.state] ||
      Number(a.ready) - Number(b.ready) ||
      (order === 'cost' ? cost(a) - cost(b) : 0) ||
      b.podsOnNode - a.podsOnNode ||
      (b.ready && a.ready ? b.readyAt - a.readyAt : 0) ||
      b.createdAt - a.createdAt ||
      b.id - a.id,
  );
}

export interface SimPod {
  readonly id: number;
  state: PodState;
  terminating: boolean;
  /** node id, -1 while unscheduled */
  node: number;
  readonly createdAt: number;
  boundAt: number;
  readyAt: number;
  /** the player it streams to, -1 when idle */
  player: number;
  /** GPU index on its node when pods share GPUs (-1 otherwise) */
  gpu: number;
}

/** What the ReplicaSet reads from the node a pod is on. */
export interface PodNode {
  readonly id: number;
  readonly pods: number;
  readonly sessions: number;
  readonly hasImage: boolean;
  /** when a pre-pull in progress will have the image (NaN = none running) */
  readonly imageAt: number;
}

/** Where pending pods go: the scheduler's node choice and the slots a pod takes there. */
export interface Placement<N extends PodNode> {
  /** a node with room for one pod, or undefined when none has any */
  placeStreamer(): N | undefined;
  /** takes the pod's slots on the node; the GPU index it gets (-1 when pods take whole GPUs) */
  occupy(node: N): number;
}

/** How a pod leaves when deleted: at once (never scheduled), after a drain (it streams), or after SIGTERM. */
export type Deletion = 'exit' | 'drain' | 'terminate';

/** The scraped gauges, summed over pods whose sidecar serves metrics (draining ones apart). */
export interface PodTotals {
  readonly scrapedPods: number;
  readonly allocated: number;
  readonly available: number;
  readonly streamers: number;
  readonly draining: number;
  readonly perPod: ReadonlyMap<number, PodGauges>;
}

export class ReplicaSet {
  /** every pod ever created, indexed by id */
  readonly pods: SimPod[] = [];
  /** pods not gone, in creation order */
  private live: SimPod[] = [];
  /** the count the HPA last set */
  specReplicas = 0;
  scaleUps = 0;
  scaleDowns = 0;
  /** pods not yet bound to a node */
  pending = 0;
  /** pods holding GPU slots */
  bound = 0;
  /** pods streaming to a player */
  streaming = 0;
  /** sessions cut because a draining pod hit the drain timeout */
  sessionsCut = 0;
  /** per pod: [GPU bound at, GPU released at] */
  private readonly gpuIntervals: [number, number][] = [];

  constructor(
    private readonly model: Model,
    /** scheduling, image pull and app start times */
    private readonly rPods: Random,
  ) {}

  pod(id: number): SimPod {
    return this.pods[id]!;
  }

  /** Pods counted by the ReplicaSet: not gone and not terminating. */
  active(): SimPod[] {
    return this.live.filter((p) => !p.terminating);
  }

  /** Ready pods not terminating. */
  readyCount(): number {
    return this.live.filter((p) => p.state === 'ready' && !p.terminating).length;
  }

  /** The pod the router hands the next player: the oldest Ready, idle one not draining. */
  firstAvailable(): SimPod | undefined {
    for (const p of this.live) if (p.state === 'ready' && !p.terminating && p.player < 0) return p;
    return undefined;
  }

  /** The HPA's new count; how many pods to create (> 0) or delete (< 0) comes from reconcile(). */
  scale(desired: number): void {
    if (desired > this.specReplicas) this.scaleUps++;
    else this.scaleDowns++;
    this.specReplicas = desired;
  }

  create(now: number): SimPod {
    const pod: SimPod = {
      id: this.pods.length,
      state: 'pending',
      terminating: false,
      node: -1,
      createdAt: now,
      boundAt: NaN,
      readyAt: NaN,
      player: -1,
      gpu: -1,
    };
    this.pods.push(pod);
    this.live.push(pod);
    this.pending++;
    this.gpuIntervals.push([NaN, NaN]);
    return pod;
  }

  /** A pod Ready on its node at t = 0. */
  warm(node: PodNode, gpu: number): void {
    const pod = this.create(0);
    this.bind(pod, node, gpu, 0);
    pod.state = 'ready';
    pod.readyAt = 0;
  }

  private bind(pod: SimPod, node: PodNode, gpu: number, now: number): void {
    this.pending--;
    pod.gpu = gpu;
    pod.node = node.id;
    pod.state = 'binding';
    pod.boundAt = now;
    this.gpuIntervals[pod.id]![0] = now;
    this.bound++;
  }

  /** The scheduler binds pending pods, oldest first, while nodes have room; each with the time its binding
   *  completes. */
  schedule<N extends PodNode>(now: number, nodes: Placement<N>): { pod: SimPod; at: number }[] {
    const bound: { pod: SimPod; at: number }[] = [];
    if (this.pending === 0) return bound;
    for (const pod of this.live) {
      if (pod.state !== 'pending' || pod.terminating) continue;
      const node = nodes.placeStreamer();
      if (node === undefined) break;
      this.bind(pod, node, nodes.occupy(node), now);
      bound.push({ pod, at: now + sample(this.model.scheduling, this.rPods) });
    }
    return bound;
  }

  /** Binding done: the image pull starts; when it ends (a pre-pull under way is waited for rather than
   *  pulled twice), or undefined when the pod no longer needs it. */
  pullStarts(pod: SimPod, node: PodNode, now: number): number | undefined {
    if (pod.state !== 'binding' || pod.terminating) return undefined;
    pod.state = 'pulling';
    const cached = node.hasImage || node.imageAt > now;
    const pulled = now + sample(cached ? this.model.imagePullCached : this.model.imagePull, this.rPods);
    return node.imageAt > pulled ? node.imageAt : pulled;
  }

  /** Image pulled: the app starts, `slowdown` times slower next to streaming co-tenants; when it is Ready,
   *  or undefined when the pod no longer needs it. */
  appStarts(pod: SimPod, now: number, slowdown: (pod: SimPod) => number): number | undefined {
    if (pod.state !== 'pulling' || pod.terminating) return undefined;
    pod.state = 'starting';
    return now + sample(this.model.appStart, this.rPods) * slowdown(pod);
  }

  /** Readiness probe passes; false when the pod no longer starts. */
  ready(pod: SimPod, now: number): boolean {
    if (pod.state !== 'starting' || pod.terminating) return false;
    pod.state = 'ready';
    pod.readyAt = now;
    return true;
  }

  startStream(pod: SimPod, player: number): void {
    if (pod.player >= 0) throw new Error(`invariant: pod ${pod.id} already streams to player ${pod.player}`);
    pod.player = player;
    this.streaming++;
  }

  endStream(pod: SimPod): void {
    pod.player = -1;
    this.streaming--;
  }

  /** The pod is gone; false when it was already. The caller gives its node's slots back. */
  exit(pod: SimPod, now: number): boolean {
    if (pod.state === 'gone') return false;
    if (pod.state === 'pending') this.pending--;
    if (pod.node >= 0) {
      this.gpuIntervals[pod.id]![1] = now;
      this.bound--;
    }
    pod.state = 'gone';
    this.live = this.live.filter((p) => p !== pod);
    return true;
  }

  /** Marks the pod terminating; how it leaves. */
  delete(pod: SimPod): Deletion {
    pod.terminating = true;
    if (pod.state === 'pending') return 'exit';
    return pod.player >= 0 ? 'drain' : 'terminate';
  }

  /** Pods to create (> 0) to reach the spec, or to delete (< 0). */
  shortfall(): number {
    return this.specReplicas - this.active().length;
  }

  /** The `count` pods the ReplicaSet deletes first. */
  victims(count: number, nodeOf: (id: number) => PodNode): SimPod[] {
    const ranked = rankForDeletion(
      this.active().map((p) => ({
        id: p.id,
        state: p.state,
        ready: p.state === 'ready',
        allocated: p.player >= 0,
        podsOnNode: p.node >= 0 ? nodeOf(p.node).pods : 0,
        sessionsOnNode: p.node >= 0 ? nodeOf(p.node).sessions : 0,
        readyAt: p.readyAt,
        createdAt: p.createdAt,
      })),
      this.model.deletionOrder,
    );
    return ranked.slice(0, count).map((r) => this.pods[r.id]!);
  }

  /** What one scrape sees; per-pod gauges only when a Pods metric reads them. */
  gauges(perPodToo: boolean): PodTotals {
    let scrapedPods = 0;
    let allocated = 0;
    let available = 0;
    let streamers = 0;
    let draining = 0;
    const perPod = new Map<number, PodGauges>();
    for (const p of this.live) {
      if (p.state !== 'starting' && p.state !== 'ready') continue; // sidecar serves metrics once Running
      scrapedPods++;
      const g: PodGauges = {
        allocated: p.player >= 0 ? 1 : 0,
        available: p.state === 'ready' && !p.terminating && p.player < 0 ? 1 : 0,
        connected: p.state === 'ready' ? 1 : 0,
        draining: p.terminating ? 1 : 0,
      };
      if (perPodToo) perPod.set(p.id, g);
      if (p.terminating) {
        draining++;
        continue;
      }
      allocated += g.allocated;
      available += g.available;
      streamers += g.connected;
    }
    return { scrapedPods, allocated, available, streamers, draining, perPod };
  }

  /** Per pod that ever held GPU slots: [bound at, released at], endTime for those still holding them. */
  gpuHeld(endTime: number): [number, number][] {
    for (const iv of this.gpuIntervals) if (!Number.isNaN(iv[0]) && Number.isNaN(iv[1])) iv[1] = endTime;
    return this.gpuIntervals.filter((iv) => !Number.isNaN(iv[0]));
  }
}
