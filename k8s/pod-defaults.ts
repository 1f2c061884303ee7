// What every pod of the kit gets, spelled out rather than left to cdk8s-plus defaults: node-pool placement
// from a label and a taint, the pod's security context, identity and pull Secrets, scratch space, rollouts
// and Service ports. What each container gets is in containers.ts.
import { k8s } from 'cdk8s-plus-27';
import { parseNodeLabel, parseNodeTaint } from '../common/kit-config.js';
import type { ImageProps } from './containers.js';
import type { WorkloadIdentity } from './workload-identity.js';

/** A node pool: the label its nodes carry and the taint that keeps other pods off them. */
export interface NodePool {
  /** `key=value` node label (nodeSelector). */
  readonly label: string;
  /** `key[=value]:Effect` node taint the pods tolerate; `none` for an untainted pool. */
  readonly taint: string;
}

/** nodeSelector and tolerations that place a pod on `pool`. */
export function poolPlacement(pool: NodePool): {
  nodeSelector: Record<string, string>;
  tolerations: k8s.Toleration[];
} {
  return { nodeSelector: poolSelector(pool.label), tolerations: poolTolerations(pool.taint) };
}

/** nodeSelector for a `key=value` pool label (validated by the kit config). */
function poolSelector(label: string): Record<string, string> {
  const parsed = parseNodeLabel(label);
  if (parsed === undefined) throw new Error(`invalid node label ${JSON.stringify(label)}`);
  return { [parsed.key]: parsed.value };
}

/** Toleration for a `key[=value]:Effect` pool taint; none for an untainted pool (`none`). */
function poolTolerations(taint: string): k8s.Toleration[] {
  if (taint === 'none') return [];
  const parsed = parseNodeTaint(taint);
  if (parsed === undefined) throw new Error(`invalid node taint ${JSON.stringify(taint)}`);
  return [
    parsed.value === undefined
      ? { key: parsed.key, operator: 'Exists', effect: parsed.effect }
      : { key: parsed.key, operator: 'Equal', value: parsed.value, effect: parsed.effect },
  ];
}

/**
 * Pod-level security: non-root, the runtime's seccomp profile. `fsGroup` owns the pod's volumes (the
 * sidecar's projected API token is group-readable only), so it is the group of the container that reads them.
 */
export function podSecurity(fsGroup?: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    ...(fsGroup === undefined ? {} : { fsGroup }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The pod-spec fields every kit workload's pod shares: its ServiceAccount and whether every container gets
 * the token (from its identity), no service-link variables (the kit's programs find each other by name), the
 * images' pull Secrets and the pod security context (`fsGroup`, see podSecurity).
 */
export function workloadPod(
  identity: WorkloadIdentity,
  images: ImageProps[],
  fsGroup?: number,
): Omit<k8s.PodSpec, 'containers'> {
  return {
    serviceAccountName: identity.serviceAccountName,
    automountServiceAccountToken: identity.automountToken,
    enableServiceLinks: false,
    imagePullSecrets: pullSecrets(...images),
    securityContext: podSecurity(fsGroup),
  };
}

/** A Service port that targets the container port of the same name. */
export function servicePort(name: string, port: number): k8s.ServicePort {
  return { name, port, targetPort: k8s.IntOrString.fromString(name), protocol: 'TCP' };
}

/** Replace pods one at a time, the new one ready before the old one goes (no capacity lost mid-rollout). */
export function surgeRollout(): k8s.DeploymentStrategy {
  return {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
  };
}

/** imagePullSecrets of the images' Secrets (none and repeats left out); undefined when none. */
export function pullSecrets(...images: ImageProps[]): k8s.LocalObjectReference[] | undefined {
  const unique = [...new Set(images.map((i) => i.pullSecret ?? '').filter((n) => n !== ''))];
  return unique.length === 0 ? undefined : unique.map((name) => ({ name }));
}

/** A small scratch `emptyDir` (root file systems are read-only; programs still want a /tmp). */
export function scratchVolume(name: string): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } };
}
