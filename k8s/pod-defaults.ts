// What every pod of the kit gets, spelled out rather than left to cdk8s-plus defaults: node-pool placement
// from a label and a taint, non-root security contexts, env from Secrets and the downward API.
import { k8s } from 'cdk8s-plus-27';
import {
  imageRef,
  parseNodeLabel,
  parseNodeTaint,
  pullPolicy,
  runAsFor,
  type KitConfig,
  type KitImage,
  type PullPolicy,
} from '../common/kit-config.js';

/** nodeSelector for a `key=value` pool label (validated by the kit config). */
export function poolSelector(label: string): Record<string, string> {
  const parsed = parseNodeLabel(label);
  if (parsed === undefined) throw new Error(`invalid node label ${JSON.stringify(label)}`);
  return { [parsed.key]: parsed.value };
}

/** Toleration for a `key[=value]:Effect` pool taint; none for an untainted pool (`none`). */
export function poolTolerations(taint: string): k8s.Toleration[] {
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
 * Locked-down container running as its image's user: no privilege escalation, no capabilities (except
 * those named), read-only root. `fileCapabilities` lets a binary's file capability take effect (it turns
 * off no_new_privs): only the capabilities named here can be gained that way.
 */
export function containerSecurity(
  c: KitConfig,
  which: KitImage,
  opts: { addCapabilities?: string[]; fileCapabilities?: boolean } = {},
): k8s.SecurityContext {
  const { uid, gid } = runAsFor(c, which);
  return {
    allowPrivilegeEscalation: opts.fileCapabilities ?? false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    capabilities: { drop: ['ALL'], ...(opts.addCapabilities?.length ? { add: opts.addCapabilities } : {}) },
  };
}

/** Image reference and pull policy of one of the kit's images. */
export function imageOf(c: KitConfig, which: KitImage): { image: string; imagePullPolicy: PullPolicy } {
  return { image: imageRef(c, which), imagePullPolicy: pullPolicy(c, which) };
}

export function secretEnv(name: string, secret: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key, optional: false } } };
}

export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

/** Plain env entries from a record; undefined and empty values are left out (the program's default applies). */
export function plainEnv(values: Record<string, string | number | boolean | undefined>): k8s.EnvVar[] {
  return Object.entries(values)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '')
    .map(([name, value]) => ({ name, value: String(value) }));
}

/** imagePullSecrets from the named Secrets (empty names and repeats left out); undefined when none. */
export function pullSecrets(...names: string[]): k8s.LocalObjectReference[] | undefined {
  const unique = [...new Set(names.filter((n) => n !== ''))];
  return unique.length === 0 ? undefined : unique.map((name) => ({ name }));
}

/**
 * A startup probe from a liveness probe's check: up to a minute (30 × 2 s) to start before liveness takes
 * over. Without it a process that starts slowly on a busy node (a cold image, a loaded CPU) is killed by its
 * liveness probe before it ever listens, and the pod crash-loops.
 */
export function startupProbe(check: k8s.Probe): k8s.Probe {
  return { ...check, periodSeconds: 2, failureThreshold: 30 };
}
