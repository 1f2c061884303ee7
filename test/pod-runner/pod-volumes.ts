// The pod's volumes, prepared the way the kubelet does: an emptyDir is a docker tmpfs volume shared by
// every container of the pod, world-writable (group fsGroup, setgid) and capped at its sizeLimit (over it
// a write fails with ENOSPC where the kubelet would evict the pod); projected, secret and service-account
// volumes are files written once into a host folder, owned by root with group fsGroup and the volume's
// mode, and bind-mounted.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fieldValue, parseQuantity, type PodIdentity } from './container-args.js';
import type { KeyToPath, PodSpec, SecretSet, Volume } from './pod-spec.js';

/** The API server the pods are given (KUBERNETES_SERVICE_HOST/PORT, the service-account token and CA). */
export interface ClusterAccess {
  host: string;
  port: number;
  caPem: string;
  token: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The volume name the kubelet's own service-account volume gets here. */
export const SERVICE_ACCOUNT_VOLUME = 'kube-api-access';

/** Where a volume comes from: a host folder (files the runner wrote) or a docker volume (an emptyDir). */
export interface VolumeSource {
  type: 'bind' | 'volume';
  src: string;
}

export interface PreparedVolumes {
  root: string;
  sources: Record<string, VolumeSource>;
  dockerVolumes: string[];
}

function sh(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, (err, _o, stderr) =>
      err ? reject(new Error(`${cmd}: ${stderr.trim()}`)) : resolve(),
    ),
  );
}

function writeFiles(dir: string, files: Record<string, string>, mode: number, fsGroup: number | undefined) {
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, mode);
    if (fsGroup !== undefined) chownSync(file, 0, fsGroup);
  }
}

function pick(
  data: Record<string, string>,
  items: KeyToPath[] | undefined,
  what: string,
): Record<string, string> {
  if (!items) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) {
    const v = data[it.key ?? ''];
    if (v === undefined) throw new Error(`pod runner: ${what} has no key ${String(it.key)}`);
    out[it.path] = v;
  }
  return out;
}

interface Sources {
  pod: PodIdentity;
  secrets: SecretSet;
  configMaps: Record<string, Record<string, string>>;
  cluster: ClusterAccess | undefined;
}

function projectedFiles(v: Volume, s: Sources): Record<string, string> {
  const files: Record<string, string> = {};
  for (const src of v.projected?.sources ?? []) {
    if (src.serviceAccountToken) {
      if (!s.cluster)
        throw new Error(`pod runner: volume ${v.name} needs a service-account token: pass cluster`);
      files[src.serviceAccountToken.path] = s.cluster.token;
    }
    if (src.configMap) {
      const cm = configMapData(src.configMap.name, s);
      Object.assign(files, pick(cm, src.configMap.items, `ConfigMap ${src.configMap.name}`));
    }
    if (src.secret) {
      const secret = s.secrets[src.secret.name];
      if (!secret)
        throw new Error(`pod runner: volume ${v.name}: Secret ${src.secret.name} not in the test set`);
      Object.assign(files, pick(secret, src.secret.items, `Secret ${src.secret.name}`));
    }
    for (const it of src.downwardAPI?.items ?? [])
      files[it.path] = fieldValue(it.fieldRef?.fieldPath ?? '', s.pod);
  }
  return files;
}

/** kube-root-ca.crt is published in every namespace by the control plane: here, the fake API's CA. */
function configMapData(name: string, s: Sources): Record<string, string> {
  if (name === 'kube-root-ca.crt' && s.cluster) return { 'ca.crt': s.cluster.caPem };
  const cm = s.configMaps[name];
  if (!cm) throw new Error(`pod runner: ConfigMap ${name} not in the test set`);
  return cm;
}

/** True when the kubelet would add its own service-account volume to this pod. */
export function automountsToken(spec: PodSpec): boolean {
  return spec.automountServiceAccountToken !== false;
}

export async function prepareVolumes(spec: PodSpec, s: Sources): Promise<PreparedVolumes> {
  const root = mkdtempSync(path.join(os.tmpdir(), `pod-${s.pod.name}-`));
  const prepared: PreparedVolumes = { root, sources: {}, dockerVolumes: [] };
  const fsGroup = spec.securityContext?.fsGroup;
  for (const v of spec.volumes ?? []) {
    const dir = path.join(root, v.name);
    prepared.sources[v.name] = { type: 'bind', src: dir };
    if (v.emptyDir) {
      // A tmpfs volume docker mounts itself (the test's own mount namespace is not docker's).
      const name = `${s.pod.name}-${v.name}`;
      const size = v.emptyDir.sizeLimit ? `,size=${Math.round(parseQuantity(v.emptyDir.sizeLimit))}` : '';
      const owner = fsGroup !== undefined ? `mode=2777,gid=${fsGroup}` : 'mode=0777';
      await sh('docker', ['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs',
        '--opt', `o=${owner}${size}`, name]); // prettier-ignore
      prepared.dockerVolumes.push(name);
      prepared.sources[v.name] = { type: 'volume', src: name };
      continue;
    }
    mkdirSync(dir);
    if (v.projected) {
      writeFiles(dir, projectedFiles(v, s), v.projected.defaultMode ?? 0o644, fsGroup);
    } else if (v.secret) {
      const secret = s.secrets[v.secret.secretName];
      if (!secret)
        throw new Error(`pod runner: volume ${v.name}: Secret ${v.secret.secretName} not in the test set`);
      writeFiles(
        dir,
        pick(secret, v.secret.items, `Secret ${v.secret.secretName}`),
        v.secret.defaultMode ?? 0o644,
        fsGroup,
      );
    }
  }
  if (automountsToken(spec)) {
    if (!s.cluster)
      throw new Error(
        'pod runner: the pod mounts a service-account token (automountServiceAccountToken): pass cluster',
      );
    const dir = path.join(root, SERVICE_ACCOUNT_VOLUME);
    writeFiles(
      dir,
      { token: s.cluster.token, 'ca.crt': s.cluster.caPem, namespace: s.pod.namespace },
      0o644,
      fsGroup,
    );
    prepared.sources[SERVICE_ACCOUNT_VOLUME] = { type: 'bind', src: dir };
  }
  return prepared;
}

export async function removeVolumes(v: PreparedVolumes): Promise<void> {
  if (v.dockerVolumes.length > 0)
    await sh('docker', ['volume', 'rm', '--force', ...v.dockerVolumes]).catch(() => undefined);
  rmSync(v.root, { recursive: true, force: true });
}
