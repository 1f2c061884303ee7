// Where the simulated scheduler and device plugin put a streamer pod when GPUs are shared, and what sharing
// costs. A node has gpusPerNode GPUs of streamsPerGpu slots each (time-slicing replicas or MIG instances);
// a pod takes one slot, or gpusPerPod whole GPUs when nothing is shared.
//  - node choice: `pack` = the fullest node with room first (the kit's pod affinity, or the packing
//    scheduler profile's MostAllocated score); `spread` = the emptiest (the default scheduler's
//    LeastAllocated score without the affinity). Ties go to the oldest node.
//  - GPU choice on the node: the GPU with the fewest pods, as the device plugin hands out replicas spread
//    over a node's GPUs.
//  - cost: every stream on a GPU runs slower by coTenantSlowdown per other stream streaming on it.

export const PACKINGS = ['pack', 'spread'] as const;
export type Packing = (typeof PACKINGS)[number];

/** What the placement reads from a simulated node. */
export interface SlotNode {
  readonly ready: boolean;
  /** free slots (whole GPUs when streamsPerGpu is 1) */
  readonly free: number;
  /** pods bound per GPU; empty when pods take whole GPUs (gpusPerPod > 1) */
  readonly gpuPods: readonly number[];
}

export interface SharingShape {
  readonly gpusPerNode: number;
  readonly gpusPerPod: number;
  readonly streamsPerGpu: number;
}

/** Slots of one node. */
export function slotsPerNode(m: SharingShape): number {
  return m.gpusPerNode * m.streamsPerGpu;
}

/** Slots one pod takes: one share of a GPU, or its whole GPUs when nothing is shared. */
export function slotsPerPod(m: SharingShape): number {
  return m.streamsPerGpu > 1 ? 1 : m.gpusPerPod;
}

/** Pods one node holds at most. */
export function podsPerNode(m: SharingShape): number {
  return Math.max(1, Math.floor(slotsPerNode(m) / slotsPerPod(m)));
}

/** Whether pods get a GPU index (one pod per slot of one GPU). */
export function tracksGpus(m: SharingShape): boolean {
  return slotsPerPod(m) === 1;
}

/** Index (in `nodes`) of the ready node the pod goes to, or -1 when none has room. */
export function pickNode(nodes: readonly SlotNode[], need: number, packing: Packing): number {
  let best = -1;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (!n.ready || n.free < need) continue;
    if (best < 0) best = i;
    else if (packing === 'pack' ? n.free < nodes[best]!.free : n.free > nodes[best]!.free) best = i;
  }
  return best;
}

/** The GPU of a node a new pod gets: the one with the fewest pods that still has a free slot. */
export function pickGpu(gpuPods: readonly number[], streamsPerGpu: number): number {
  let best = -1;
  for (let g = 0; g < gpuPods.length; g++)
    if (gpuPods[g]! < streamsPerGpu && (best < 0 || gpuPods[g]! < gpuPods[best]!)) best = g;
  return best;
}

/** How much slower each of `streaming` streams on one GPU runs: 1 alone, 1 + s per co-tenant. */
export function slowdownFactor(streaming: number, coTenantSlowdown: number): number {
  return streaming <= 1 ? 1 : 1 + coTenantSlowdown * (streaming - 1);
}

/** Σ over a GPU's streams of their slowdown: what the time-weighted mean slowdown integrates. */
export function gpuSlowdownSum(streaming: number, coTenantSlowdown: number): number {
  return streaming * slowdownFactor(streaming, coTenantSlowdown);
}
