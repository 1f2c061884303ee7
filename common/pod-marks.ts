// What a streamer pod says about itself to the cluster: the label, annotations and API calls the sidecar's
// pod patcher uses. The manifests (pod template labels, the sidecar's and router's RBAC Roles) and the
// router's discovery import these, so the API calls and the permissions granted for them cannot drift apart.

/** Label every streamer pod carries (the router's discovery and the Services select on it). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const STREAMER_COMPONENT = 'streamer';
/** The processing pool's pods (k8s/pools.ts): the same sidecar and marks, their own Deployment and Service. */
export const PROCESSOR_COMPONENT = 'processor';
export const ROUTER_COMPONENT = 'router';
export const TURN_COMPONENT = 'turn';

/** `true` while the pod's stream is allocated or reserved — visible with `kubectl get pods -L`. */
export const ALLOCATED_LABEL = 'pixelstream.io/allocated';
/** ReplicaSet scale-down removes pods with the lowest cost first. */
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
/** The cluster autoscaler never evicts a pod marked "false" when it shrinks the node pool. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

/**
 * How full a streamer pod's node is, counting the pod itself: streamer pods on the node (not terminating)
 * and those among them with a session. The sidecar reads it with a `list` of the pods on its node.
 */
export interface NodeFill {
  readonly pods: number;
  readonly sessions: number;
}

/** Cost of an allocated pod before the node's fill is added: above every idle pod's cost. */
export const ALLOCATED_DELETION_COST = 1_000_000;
export const IDLE_DELETION_COST = 0;
/** Each session on the node weighs more than any pod count, so sessions decide first. */
const SESSION_WEIGHT = 1000;
/** Counts are capped so a tier never reaches the next one (999 × 1000 + 999 < 1,000,000). */
const FILL_CAP = 999;

/**
 * The pod-deletion cost the sidecar writes. ReplicaSet scale-down removes the lowest cost first, so:
 * any allocated pod outranks every idle one; within each tier, pods on nodes with fewer sessions go first
 * (their nodes are closest to empty, and an empty node is one the cluster autoscaler can remove), then pods
 * on nodes with fewer streamer pods. Without a node fill (outside a cluster, or the list failed) the cost
 * is the tier's base. Kubernetes compares this cost before its own "pods on crowded nodes first" rule, which
 * would spread the pods instead.
 */
export function deletionCost(allocated: boolean, fill?: NodeFill): number {
  const base = allocated ? ALLOCATED_DELETION_COST : IDLE_DELETION_COST;
  if (fill === undefined) return base;
  const cap = (n: number) => Math.min(FILL_CAP, Math.max(0, Math.floor(n)));
  return base + cap(fill.sessions) * SESSION_WEIGHT + cap(fill.pods);
}

/** Label selector of every pool's pods (what the sidecar lists on its node: all of them fill its GPUs). */
export const STREAMER_POD_SELECTOR = `${COMPONENT_LABEL} in (${STREAMER_COMPONENT},${PROCESSOR_COMPONENT})`;

/** The sidecar's write to the Kubernetes API: a merge patch of its own Pod. */
export const POD_PATCH_CONTENT_TYPE = 'application/merge-patch+json';
/**
 * RBAC rules that allow exactly the sidecar's calls (namespace-scoped Role): `patch` for its own marks, and
 * `list` for the streamer pods on its node (field selector spec.nodeName), whose count and sessions weigh its
 * deletion cost. Read-only, no `watch` (it polls), no `get`; the router stays read-only too.
 */
export const SIDECAR_RBAC_RULES = [
  { apiGroups: [''], resources: ['pods'], verbs: ['patch', 'list'] },
] as const;
/**
 * RBAC rules that allow exactly the router's discovery: an informer lists the streamer pods and watches them
 * (it never reads a single pod). The router's discovery test derives these verbs from its requests.
 */
export const ROUTER_RBAC_RULES = [
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
] as const;

/** JSON merge-patch body that marks a pod allocated or idle. */
export interface PodMarksPatch {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

export function podMarksPatch(allocated: boolean, fill?: NodeFill): PodMarksPatch {
  return {
    metadata: {
      labels: { [ALLOCATED_LABEL]: String(allocated) },
      annotations: {
        [DELETION_COST_ANNOTATION]: String(deletionCost(allocated, fill)),
        [SAFE_TO_EVICT_ANNOTATION]: String(!allocated),
      },
    },
  };
}
