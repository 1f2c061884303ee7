// What a streamer pod says about itself to the cluster: the label, annotations and API calls the sidecar's
// pod patcher uses. The manifests (pod template labels, the sidecar's and router's RBAC Roles) and the
// router's discovery import these, so the API calls and the permissions granted for them cannot drift apart.

/** Label every streamer pod carries (the router's discovery and the Services select on it). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const STREAMER_COMPONENT = 'streamer';
export const ROUTER_COMPONENT = 'router';
export const TURN_COMPONENT = 'turn';

/** `true` while the pod's stream is allocated or reserved — visible with `kubectl get pods -L`. */
export const ALLOCATED_LABEL = 'pixelstream.io/allocated';
/** ReplicaSet scale-down removes pods with the lowest cost first. */
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
/** The cluster autoscaler never evicts a pod marked "false" when it shrinks the node pool. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

/** Deletion costs: any allocated pod outranks every idle one, so idle pods go first on scale-down. */
export const ALLOCATED_DELETION_COST = 1000;
export const IDLE_DELETION_COST = 0;

/** The only Kubernetes API call the sidecar makes: a merge patch of its own Pod. */
export const POD_PATCH_CONTENT_TYPE = 'application/merge-patch+json';
/** RBAC rules that allow exactly the sidecar's calls (namespace-scoped Role). */
export const SIDECAR_RBAC_RULES = [{ apiGroups: [''], resources: ['pods'], verbs: ['patch'] }] as const;
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

export function podMarksPatch(allocated: boolean): PodMarksPatch {
  return {
    metadata: {
      labels: { [ALLOCATED_LABEL]: String(allocated) },
      annotations: {
        [DELETION_COST_ANNOTATION]: String(allocated ? ALLOCATED_DELETION_COST : IDLE_DELETION_COST),
        [SAFE_TO_EVICT_ANNOTATION]: String(!allocated),
      },
    },
  };
}
