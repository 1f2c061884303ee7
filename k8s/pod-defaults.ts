// What every pod of the kit gets, spelled out rather than left to cdk8s-plus defaults: node-pool placement
// from a label and a taint, non-root security contexts, env from Secrets and the downward API.
import { k8s } from 'cdk8s-plus-27';
import { parseNodeLabel, parseNodeTaint } from '../common/kit-config.js';

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

/** Uid/gid of the kit's images (and of Epic's Unreal runtime images). */
export const RUN_AS = 1000;

export function podSecurity(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS,
    runAsGroup: RUN_AS,
    fsGroup: RUN_AS,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Locked-down container: no privilege escalation, no capabilities (except those named), read-only root.
 * `fileCapabilities` lets a binary's file capability take effect (it turns off no_new_privs): only the
 * capabilities named here can be gained that way.
 */
export function containerSecurity(
  opts: { readOnlyRoot?: boolean; addCapabilities?: string[]; fileCapabilities?: boolean } = {},
): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: opts.fileCapabilities ?? false,
    privileged: false,
    readOnlyRootFilesystem: opts.readOnlyRoot ?? true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'], ...(opts.addCapabilities?.length ? { add: opts.addCapabilities } : {}) },
  };
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

export function pullSecrets(name: string): k8s.LocalObjectReference[] | undefined {
  return name === '' ? undefined : [{ name }];
}
