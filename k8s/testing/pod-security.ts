// Pod Security `restricted`, as the manifest tests check it: what Kubernetes' pod-security-admission would
// refuse in a pod spec the kit writes.
import type { IPodSpec } from 'kubernetes-models/v1';

/**
 * What the Pod Security `restricted` profile refuses in a pod spec (Kubernetes' pod-security-admission
 * checks, the fields the kit can set): host namespaces and ports, volume types, privilege escalation,
 * capabilities beyond NET_BIND_SERVICE, root, seccomp.
 */
export function restrictedProblems(pod: IPodSpec): string[] {
  const out: string[] = [];
  if (pod.hostNetwork === true) out.push('hostNetwork');
  if (pod.hostPID === true || pod.hostIPC === true) out.push('host namespaces');
  const allowedVolumes = [
    'configMap',
    'csi',
    'downwardAPI',
    'emptyDir',
    'ephemeral',
    'persistentVolumeClaim',
    'projected',
    'secret',
  ];
  for (const v of pod.volumes ?? [])
    if (!Object.keys(v).some((k) => allowedVolumes.includes(k))) out.push(`volume ${v.name}`);
  const podNonRoot = pod.securityContext?.runAsNonRoot === true;
  const podSeccomp = pod.securityContext?.seccompProfile?.type;
  if (pod.securityContext?.runAsUser === 0) out.push('pod runAsUser 0');
  for (const k of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = k.securityContext ?? {};
    if ((k.ports ?? []).some((p) => p.hostPort !== undefined)) out.push(`${k.name}: hostPort`);
    if (sc.privileged === true) out.push(`${k.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${k.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${k.name}: capabilities not dropped`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') out.push(`${k.name}: adds ${cap}`);
    if (!(sc.runAsNonRoot ?? podNonRoot)) out.push(`${k.name}: runAsNonRoot`);
    if (sc.runAsUser === 0) out.push(`${k.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${k.name}: seccompProfile`);
  }
  return out;
}
