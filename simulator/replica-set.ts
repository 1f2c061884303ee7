// Which pods a ReplicaSet deletes when it scales down: the controller's ranking (unscheduled, then pending,
// then not ready, then — when the sidecar sets it — lower pod-deletion-cost, then more pods on the same node,
// then ready for less time, then newest). Without deletion costs an allocated pod can be picked, which drains
// a live session; with them idle pods always go first.
import type { DeletionOrder } from './model.js';

export type PodState = 'pending' | 'binding' | 'pulling' | 'starting' | 'ready' | 'gone';

export interface RankedPod {
  readonly id: number;
  readonly state: PodState;
  readonly ready: boolean;
  readonly allocated: boolean;
  readonly podsOnNode: number;
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
/** Costs the sidecar's pod patcher writes (common/pod-marks.ts): any allocated pod outranks every idle one. */
const cost = (p: RankedPod) => (p.allocated ? 1000 : 0);

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
