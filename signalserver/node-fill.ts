// How full this pod's node is, read by the sidecar itself: a `list` of the streamer pods on its node
// (`fieldSelector=spec.nodeName=…`, served from the API server's watch cache with resourceVersion=0), polled
// rather than watched so the Role needs only `list`. The count feeds the pod-deletion cost
// (common/pod-marks.ts deletionCost): idle pods on nearly empty nodes go first on scale-down.
//
// Why the sidecar and not the router, which already watches every pod: the sidecar is already the one
// writer of its pod's marks; a router computing fills would need `patch` on pods, and its N replicas would
// race the sidecars on the same annotation. Here the only added permission is a read in the kit's namespace.
import type { NodeFill } from '../common/pod-marks.js';
import { ALLOCATED_LABEL } from '../common/pod-marks.js';

/** Pods of a PodList answer, as far as the fill needs them. */
interface ListedPod {
  metadata?: { name?: unknown; labels?: Record<string, unknown>; deletionTimestamp?: unknown };
}

/** What other pods on the node contribute; the sidecar adds itself with its live state. */
export interface OtherPods {
  readonly pods: number;
  readonly sessions: number;
}

/**
 * Counts the streamer pods of a PodList JSON answer other than `self`, skipping terminating ones (they are
 * leaving and will not hold the node). Undefined when the answer is not a PodList.
 */
export function otherPodsOnNode(body: string, self: string): OtherPods | undefined {
  let list: unknown;
  try {
    list = JSON.parse(body);
  } catch {
    return undefined;
  }
  const items = (list as { items?: unknown }).items;
  if (!Array.isArray(items)) return undefined;
  let pods = 0;
  let sessions = 0;
  for (const item of items as ListedPod[]) {
    const meta = item.metadata;
    if (meta === undefined || meta.name === self || meta.deletionTimestamp != null) continue;
    pods++;
    if (meta.labels?.[ALLOCATED_LABEL] === 'true') sessions++;
  }
  return { pods, sessions };
}

/** The fill the sidecar's own cost uses: the others plus itself. */
export function nodeFill(others: OtherPods, selfAllocated: boolean): NodeFill {
  return { pods: others.pods + 1, sessions: others.sessions + (selfAllocated ? 1 : 0) };
}

/** The list call's URL: streamer pods in the namespace, on one node, from the watch cache. */
export function nodePodsUrl(podUrl: URL, namespace: string, nodeName: string, selector: string): URL {
  const url = new URL(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, podUrl);
  url.searchParams.set('labelSelector', selector);
  url.searchParams.set('fieldSelector', `spec.nodeName=${nodeName}`);
  url.searchParams.set('resourceVersion', '0');
  return url;
}
