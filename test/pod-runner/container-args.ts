// Pure decisions of the pod runner: from a pod template (and what the runner knows of the pod: its name,
// IP, the test's Secrets, the image's own user) to the `docker run` arguments a kubelet's choices amount
// to. No I/O here, so every choice has a table test (pod-runner.test.ts).
import type { Container, PodSecurityContext, PodSpec, SecretSet, SecurityContext } from './pod-spec.js';

/** What the pod is, as the downward API would report it. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
  podIP: string;
  hostIP: string;
  nodeName: string;
  serviceAccountName: string;
}

export function fieldValue(path: string, pod: PodIdentity): string {
  const values: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'metadata.uid': pod.uid,
    'spec.nodeName': pod.nodeName,
    'spec.serviceAccountName': pod.serviceAccountName,
    'status.podIP': pod.podIP,
    'status.hostIP': pod.hostIP,
  };
  const v = values[path];
  if (v === undefined) throw new Error(`pod runner: fieldRef ${path} is not emulated`);
  return v;
}

/**
 * Kubernetes' `$(VAR)` expansion: a reference to a variable defined so far is replaced, `$$` is a literal
 * `$`, and an unknown reference stays as written.
 */
export function expandRefs(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return vars.get(name) ?? whole;
  });
}

/**
 * The container's environment in the order the kubelet builds it: what every container gets (the API
 * server's service variables), then the container's own list, each value expanded against what came
 * before. Secret keys come from the test's Secrets; a missing one that is not `optional` throws, as the
 * kubelet refuses to start such a container (CreateContainerConfigError).
 */
export function containerEnv(
  container: Container,
  pod: PodIdentity,
  secrets: SecretSet,
  injected: ReadonlyArray<readonly [string, string]> = [],
): Map<string, string> {
  const env = new Map<string, string>(injected);
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const field = e.valueFrom?.fieldRef;
    if (ref) {
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined) {
        if (ref.optional === true) continue;
        throw new Error(
          `pod runner: container ${container.name}: env ${e.name}: secret "${ref.name}" key "${ref.key}" not found (CreateContainerConfigError)`,
        );
      }
      env.set(e.name, value);
    } else if (field) {
      env.set(e.name, fieldValue(field.fieldPath, pod));
    } else {
      env.set(e.name, expandRefs(e.value ?? '', env));
    }
  }
  return env;
}

/** The user a container runs as, decided as the kubelet and the runtime decide it. */
export interface RunAs {
  /** `--user` value; undefined leaves the image's USER. */
  user: string | undefined;
  /** Numeric uid when known (undefined: the image names a user by name). */
  uid: number | undefined;
  groups: number[];
}

function effective(pod: PodSecurityContext | undefined, c: SecurityContext | undefined) {
  return {
    runAsUser: c?.runAsUser ?? pod?.runAsUser,
    runAsGroup: c?.runAsGroup ?? pod?.runAsGroup,
    runAsNonRoot: c?.runAsNonRoot ?? pod?.runAsNonRoot,
  };
}

/**
 * `imageUser` is the image's USER (`docker image inspect` Config.User: '' is root). With runAsNonRoot the
 * kubelet refuses root and refuses a named (non-numeric) image user it cannot verify; the messages are
 * the kubelet's.
 */
export function runAs(pod: PodSecurityContext | undefined, c: Container, imageUser: string): RunAs {
  const sc = effective(pod, c.securityContext);
  const [imageName = '', imageGroup] = imageUser.split(':');
  const imageUid = imageName === '' ? 0 : /^\d+$/.test(imageName) ? Number(imageName) : undefined;
  const uid = sc.runAsUser ?? imageUid;
  if (sc.runAsNonRoot === true) {
    if (uid === undefined)
      throw new Error(
        `pod runner: container ${c.name}: image has non-numeric user (${imageName}), cannot verify user is non-root (CreateContainerConfigError)`,
      );
    if (uid === 0)
      throw new Error(
        `pod runner: container ${c.name}: container has runAsNonRoot and image will run as root (CreateContainerConfigError)`,
      );
  }
  const groups = [...(pod?.supplementalGroups ?? [])];
  if (pod?.fsGroup !== undefined) groups.push(pod.fsGroup);
  let user: string | undefined;
  if (sc.runAsUser !== undefined || sc.runAsGroup !== undefined) {
    const u = sc.runAsUser !== undefined ? String(sc.runAsUser) : imageName || '0';
    const g =
      sc.runAsGroup !== undefined
        ? String(sc.runAsGroup)
        : sc.runAsUser === undefined
          ? imageGroup
          : undefined;
    user = g !== undefined ? `${u}:${g}` : u;
  }
  return { user, uid, groups: [...new Set(groups)] };
}

/** A Kubernetes quantity ('512Mi', '1G', '100m', 2) as a number (bytes, or cores for cpu). */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`pod runner: quantity ${q} not understood`);
  const scale: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (m[2] ? (scale[m[2]] ?? 1) : 1);
}

/** `docker run` flags for the container's resources (cpu and memory; others were waived or refused). */
export function resourceFlags(c: Container): string[] {
  const out: string[] = [];
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  if (limits.memory !== undefined) out.push('--memory', String(Math.round(parseQuantity(limits.memory))));
  if (limits.cpu !== undefined) out.push('--cpus', String(parseQuantity(limits.cpu)));
  // The kubelet turns a cpu request into cgroup shares the same way (1 core = 1024 shares, minimum 2).
  if (requests.cpu !== undefined)
    out.push('--cpu-shares', String(Math.max(2, Math.round(parseQuantity(requests.cpu) * 1024))));
  return out;
}

/** Capability and privilege flags from the effective security context. */
export function securityFlags(pod: PodSecurityContext | undefined, c: Container): string[] {
  const sc = c.securityContext;
  const out: string[] = [];
  for (const cap of sc?.capabilities?.drop ?? []) out.push('--cap-drop', cap);
  for (const cap of sc?.capabilities?.add ?? []) out.push('--cap-add', cap);
  if (sc?.allowPrivilegeEscalation === false) out.push('--security-opt', 'no-new-privileges:true');
  if (sc?.readOnlyRootFilesystem === true) out.push('--read-only');
  const seccomp = sc?.seccompProfile?.type ?? pod?.seccompProfile?.type;
  // RuntimeDefault is docker's own default profile; without a profile the kubelet runs Unconfined.
  if (seccomp !== 'RuntimeDefault') out.push('--security-opt', 'seccomp=unconfined');
  return out;
}

export interface ContainerRunInput {
  spec: PodSpec;
  container: Container;
  env: ReadonlyMap<string, string>;
  runAs: RunAs;
  /** Where each of the pod's volumes comes from, by volume name. */
  volumes: Readonly<Record<string, { type: 'bind' | 'volume'; src: string }>>;
  dockerName: string;
  /** The container holding the pod's network namespace. */
  sandbox: string;
  labels: Readonly<Record<string, string>>;
}

/** The complete `docker run` argument list for one container of the pod. */
export function containerRunArgs(i: ContainerRunInput): string[] {
  const c = i.container;
  const args = ['run', '--detach', '--name', i.dockerName, '--network', `container:${i.sandbox}`];
  for (const [k, v] of Object.entries(i.labels)) args.push('--label', `${k}=${v}`);
  if (i.runAs.user !== undefined) args.push('--user', i.runAs.user);
  for (const g of i.runAs.groups) args.push('--group-add', String(g));
  args.push(...securityFlags(i.spec.securityContext, c), ...resourceFlags(c));
  for (const m of c.volumeMounts ?? []) {
    const v = i.volumes[m.name];
    if (v === undefined) throw new Error(`pod runner: container ${c.name}: volume ${m.name} is not defined`);
    // volume-nocopy: an emptyDir starts empty (docker would copy the image's files into a new volume).
    const opts = `${v.type === 'volume' ? ',volume-nocopy' : ''}${m.readOnly ? ',readonly' : ''}`;
    args.push('--mount', `type=${v.type},src=${v.src},dst=${m.mountPath}${opts}`);
  }
  for (const [k, v] of i.env) args.push('--env', `${k}=${v}`);
  if (c.workingDir) args.push('--workdir', c.workingDir);
  // command replaces the image's ENTRYPOINT (and drops its CMD); args replaces CMD.
  const command = (c.command ?? []).map((s) => expandRefs(s, i.env));
  const cmdArgs = (c.args ?? []).map((s) => expandRefs(s, i.env));
  if (command.length > 0) args.push('--entrypoint', command[0]!);
  args.push(c.image, ...command.slice(1), ...cmdArgs);
  return args;
}
