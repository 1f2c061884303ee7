// Which pods a ReplicaSet deletes when it scales down: the controller's ranking (unscheduled, then pending,
// then not ready, then — when the sidecar sets it — lower pod-deletion-cost (weighted by the node's fill),
// then more pods on the same node, then ready for less time, then newest). Without deletion costs an
// allocated pod can be picked, which drains a live session; with them idle pods always go first, those on
// the emptiest nodes before the others.
import { deletionCost } from '../common/pod-marks.js';
import type { DeletionOrder } from './model.js';

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
