// The simulated GPU node pool: nodes with their GPU slots, the balloon pods that keep nodes warm, the image
// on each node, and the cluster autoscaler's decisions (how many nodes to request for what cannot be
// scheduled, which empty nodes to remove). State lives here; the simulation turns the times these methods
// return into events (simulator/simulation.ts).
import { sample } from './distribution.js';
import {
  gpuSlowdownSum,
  pickGpu,
  pickNode,
  podsPerNode,
  slotsPerNode,
  slotsPerPod,
  slowdownFactor,
  tracksGpus,
  type SlotNode,
} from './gpu-packing.js';
import type { Model } from './model.js';
import type { WarmNodes } from './policy.js';
import type { Random } from './random.js';

export interface SimNode extends SlotNode {
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
  readonly gpuPods: number[];
  readonly gpuBusy: number[];
  /** pods streaming on this node */
  sessions: number;
}

export class Cluster {
  /** every node ever created, indexed by id */
  readonly nodes: SimNode[] = [];
  /** nodes not yet removed */
  private alive: SimNode[] = [];
  /** Balloons: placeholder pods holding a GPU each at a negative priority; node id, or -1 while pending. */
  private readonly balloons: number[];
  /** slots one pod (streamer or balloon) takes */
  readonly podSlots: number;
  private readonly perGpu: boolean;
  /** Σ over streaming pods of their slowdown factor */
  slowSum = 0;

  constructor(
    private readonly model: Model,
    private readonly warm: WarmNodes,
    /** node start-up times */
    private readonly rNodes: Random,
    /** image pre-pull times */
    private readonly rPrepull: Random,
  ) {
    this.podSlots = slotsPerPod(model);
    this.perGpu = tracksGpus(model);
    this.balloons = new Array<number>(warm.balloons).fill(-1);
  }

  /** nodes booting or up: what the cloud bills */
  get liveNodes(): number {
    return this.alive.length;
  }

  node(id: number): SimNode {
    return this.nodes[id]!;
  }

  /** A node requested now (the cluster autoscaler's scale-up), and when it will be Ready. */
  request(now: number): { node: SimNode; readyAt: number } {
    return { node: this.create(now, false), readyAt: now + sample(this.model.nodeStartup, this.rNodes) };
  }

  /** Warm nodes at t = 0 for `pods` streamer pods (at least minNodes). */
  warmStart(pods: number): void {
    const nodes = Math.max(this.model.minNodes, Math.ceil(pods / podsPerNode(this.model)));
    for (let i = 0; i < nodes; i++) this.create(0, true);
  }

  /** The first node with room for a pod: where the warm pods at t = 0 go. */
  firstWithRoom(): SimNode | undefined {
    return this.nodes.find((nd) => nd.free >= this.podSlots);
  }

  /** Balloons start on warm nodes of their own (after the warm pods are bound); the image is there only
   *  when a pre-pull DaemonSet runs. */
  warmBalloons(): void {
    for (let i = 0; i < this.warm.balloons; i++) {
      const spare = this.freeNode() ?? this.create(0, true);
      if (!this.warm.prepull && spare.pods === 0) spare.hasImage = false;
      this.scheduleBalloons();
    }
  }

  private create(now: number, ready: boolean): SimNode {
    const m = this.model;
    const node: SimNode = {
      id: this.nodes.length,
      createdAt: now,
      imageAt: NaN,
      ready,
      gone: false,
      free: slotsPerNode(m),
      pods: 0,
      emptySince: now,
      hasImage: ready,
      gpuPods: this.perGpu ? new Array<number>(m.gpusPerNode).fill(0) : [],
      gpuBusy: this.perGpu ? new Array<number>(m.gpusPerNode).fill(0) : [],
      sessions: 0,
    };
    this.nodes.push(node);
    this.alive.push(node);
    return node;
  }

  /** The node the scheduler picks for one pod's worth of GPU. */
  freeNode(): SimNode | undefined {
    return this.alive[pickNode(this.alive, this.podSlots, this.model.packing)];
  }

  /** The node for a pending streamer pod: a free GPU, else one a preempted balloon gives up. */
  placeStreamer(): SimNode | undefined {
    return this.freeNode() ?? this.preemptBalloon();
  }

  private preemptBalloon(): SimNode | undefined {
    const i = this.balloons.findIndex((nid) => nid >= 0);
    if (i < 0) return undefined;
    const node = this.nodes[this.balloons[i]!]!;
    this.balloons[i] = -1;
    node.free += this.podSlots;
    node.pods--;
    return node;
  }

  /** Balloons waiting for a GPU: preempted, or never placed yet. */
  private get pendingBalloons(): number {
    return this.balloons.reduce((n, nid) => (nid < 0 ? n + 1 : n), 0);
  }

  /** Pending balloons go wherever a GPU is free. */
  scheduleBalloons(): void {
    for (let i = 0; i < this.balloons.length; i++) {
      if (this.balloons[i]! >= 0) continue;
      const node = this.freeNode();
      if (node === undefined) return;
      node.free -= this.podSlots;
      node.pods++;
      this.balloons[i] = node.id;
    }
  }

  /** A streamer pod takes its slots on `node`; the GPU index it gets (-1 when pods take whole GPUs). */
  occupy(node: SimNode): number {
    node.free -= this.podSlots;
    node.pods++;
    if (!this.perGpu) return -1;
    const gpu = pickGpu(node.gpuPods, this.model.streamsPerGpu);
    node.gpuPods[gpu]!++;
    return gpu;
  }

  /** A streamer pod gives its slots back. */
  release(node: SimNode, gpu: number, now: number): void {
    node.free += this.podSlots;
    node.pods--;
    if (gpu >= 0) node.gpuPods[gpu]!--;
    if (node.pods === 0) node.emptySince = now;
  }

  /** A stream starts (+1) or ends (-1) on a node and GPU: session counts and the slowdown sum. */
  streaming(node: SimNode, gpu: number, delta: 1 | -1): void {
    node.sessions += delta;
    if (gpu < 0) {
      this.slowSum += delta;
      return;
    }
    const before = node.gpuBusy[gpu]!;
    node.gpuBusy[gpu] = before + delta;
    const s = this.model.coTenantSlowdown;
    this.slowSum += gpuSlowdownSum(before + delta, s) - gpuSlowdownSum(before, s);
  }

  /** An app starting next to streaming co-tenants starts slower, like their streams run slower. */
  startFactor(node: SimNode, gpu: number): number {
    return gpu < 0 ? 1 : slowdownFactor(node.gpuBusy[gpu]! + 1, this.model.coTenantSlowdown);
  }

  /** A requested node is Ready; with a pre-pull DaemonSet, the time the image will be there (NaN = none). */
  nodeReady(node: SimNode, now: number): number {
    node.ready = true;
    node.emptySince = now;
    if (!this.warm.prepull || node.hasImage) return NaN;
    node.imageAt = now + sample(this.model.imagePull, this.rPrepull);
    return node.imageAt;
  }

  /**
   * The cluster autoscaler's node requests for `pendingPods` unschedulable streamer pods and the pending
   * balloons (they sit above its expendable cutoff): enough nodes for what the booting ones cannot take,
   * within maxNodes.
   */
  nodesToAdd(pendingPods: number): number {
    const m = this.model;
    const unschedulable = pendingPods + this.pendingBalloons;
    const perNode = podsPerNode(m);
    const booting = this.alive.filter((nd) => !nd.ready).length;
    const need = Math.ceil(Math.max(0, unschedulable - booting * perNode) / Math.max(perNode, 1));
    return Math.min(need, m.maxNodes - this.alive.length);
  }

  /** Removes nodes empty for longer than the unneeded time, oldest first, down to minNodes. */
  removeUnneeded(now: number): void {
    let remaining = this.alive.length;
    let removed = false;
    for (const nd of this.alive) {
      if (remaining <= this.model.minNodes) break;
      if (nd.ready && nd.pods === 0 && now - nd.emptySince >= this.model.nodeUnneededSeconds) {
        nd.gone = true;
        remaining--;
        removed = true;
      }
    }
    if (removed) this.alive = this.alive.filter((nd) => !nd.gone);
  }
}
