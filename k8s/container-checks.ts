// Would each container start? Its env is resolved the way the kubelet resolves it (Secret values stand in,
// downward-API fields filled, the API server's address injected) and handed to that component's own config
// checker — the same code that makes the process exit 2 in the pod. A .env that would crash-loop a pod is
// refused at synthesis, in the component's own words, instead of after a rollout.
import { ConfigError } from '../common/env-config.js';
import { KIT_CONFIG_KEYS } from '../common/kit-config.js';
import { loadRouterConfig } from '../router/config.js';
import { loadSidecarConfig } from '../signalserver/config.js';
import { loadStreamerConfig } from '../streamer/config.js';
import { loadTurnConfig, type ConfigIo } from '../turn/config.js';
import type { ManifestObject } from './synth.js';

type Env = Record<string, string>;

/** What the kubelet puts in a Secret-backed variable here: a value every component's secret rule accepts. */
const SECRET_STAND_IN = '0123456789abcdef0123456789abcdef';
/** Always injected by the kubelet, even with enableServiceLinks: false (in-cluster API clients need them). */
const KUBELET_ENV: Env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: unknown; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
}

/**
 * The container's file system as its config checker would find it in the pod, never this machine's: a mount
 * point is a directory, an emptyDir is empty, and what another volume (a Secret, a ConfigMap) holds counts as
 * a readable file. Paths outside every mount belong to the image: nothing the kit reads is there.
 */
function podFiles(container: Container, pod: PodSpec): ConfigIo {
  const mounts = (container.volumeMounts ?? []).map((m) => ({
    path: m.mountPath.replace(/\/+$/, ''),
    empty: pod.volumes?.find((v) => v.name === m.name)?.emptyDir !== undefined,
  }));
  const under = (p: string) => mounts.find((m) => p.startsWith(`${m.path}/`));
  return {
    readFile: () => '',
    readable: (p) => under(p)?.empty === false,
    kind: (p) =>
      mounts.some((m) => m.path === p.replace(/\/+$/, ''))
        ? 'directory'
        : under(p)?.empty === false
          ? 'file'
          : undefined,
  };
}

type Checker = (env: Env, container: Container, pod: PodSpec) => unknown;
/** Each kit container's own config checker, by container name (k8s/streamer-pool.ts, router.ts, turn.ts). */
const CHECKERS: Record<string, Checker> = {
  signalserver: loadSidecarConfig,
  router: loadRouterConfig,
  coturn: (env, container, pod) => loadTurnConfig(env, podFiles(container, pod)),
};
/** The GPU app is checked only when it is the kit's reference streamer (by image name): otherwise it is the user's. */
const REFERENCE_STREAMER_IMAGE = 'pixelstream-streamer';

function checkerFor(container: Container): Checker | undefined {
  if (container.name !== 'streamer') return CHECKERS[container.name];
  const imageName = container.image
    .replace(/:[^/]*$/, '')
    .split('/')
    .pop();
  return imageName === REFERENCE_STREAMER_IMAGE ? loadStreamerConfig : undefined;
}

/** The value a downward-API field has in a running pod (stand-ins of the right shape). */
function fieldValue(object: ManifestObject, fieldPath: string): string | undefined {
  const values: Record<string, string> = {
    'metadata.name': `${object.metadata.name}-0`,
    'metadata.namespace': object.metadata.namespace ?? 'default',
    'spec.nodeName': 'node-0',
    'status.hostIP': '192.0.2.1',
    'status.podIP': '192.0.2.2',
  };
  return values[fieldPath];
}

/** The container's environment as the process sees it; unresolvable references are problems. */
function resolvedEnv(object: ManifestObject, container: Container, problems: string[]): Env {
  const env: Env = { ...KUBELET_ENV };
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef !== undefined) env[e.name] = SECRET_STAND_IN;
    else if (e.valueFrom?.fieldRef !== undefined) {
      const value = fieldValue(object, e.valueFrom.fieldRef.fieldPath);
      if (value === undefined)
        problems.push(`${e.name}: the field ${e.valueFrom.fieldRef.fieldPath} cannot be checked here`);
      else env[e.name] = value;
    } else env[e.name] = e.value ?? '';
  }
  return env;
}

function podSpecOf(object: ManifestObject): PodSpec {
  const spec = object.spec as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec ?? {};
}

/** The .env keys a component's problem names, so the operator knows what to change. */
function envHint(problem: string): string {
  const keys = KIT_CONFIG_KEYS.filter((k) => new RegExp(`\\b${k}\\b`).test(problem));
  return keys.length === 0 ? '' : ` (set in .env: ${keys.join(', ')})`;
}

/**
 * One line per problem that would stop a container at start:
 * `Deployment/streamer container signalserver would exit at start: TURN_URLS=(unset): needed when TURN_SECRET is set`.
 */
export function containerProblems(objects: ManifestObject[]): string[] {
  const out: string[] = [];
  for (const object of objects) {
    const pod = podSpecOf(object);
    for (const container of pod.containers ?? []) {
      const check = checkerFor(container);
      if (check === undefined) continue;
      const problems: string[] = [];
      const env = resolvedEnv(object, container, problems);
      try {
        check(env, container, pod);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
      const where = `${object.kind}/${object.metadata.name} container ${container.name}`;
      for (const p of problems) out.push(`${where} would exit at start: ${p}${envHint(p)}`);
    }
  }
  return out;
}
