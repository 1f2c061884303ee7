// What the per-construct manifest tests share: the .env files they synthesize (.env.example as an operator
// completes it, the Unreal wrapper on an existing Gateway, a non-trivial custom .env, a Gateway without
// timeouts and no router), synthesis to disk as `npm run synth` does it, and typed access to the objects
// read back from the YAML: `find(s, kind, name)` validates the object against its official schema and
// returns it as that schema's type.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IGateway, IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import type {
  IPodMonitor,
  IPrometheusRule,
  IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IDaemonSet, IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type {
  IClusterRole,
  IClusterRoleBinding,
  IRole,
  IRoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1';
import type {
  IConfigMap,
  IContainer,
  IEnvVarSource,
  IPodSpec,
  ISecret,
  IService,
  IServiceAccount,
} from 'kubernetes-models/v1';
import { kitEnv, loadKitConfig, type KitConfig } from '../../common/kit-config.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { readManifests, synthesize, writeOverlay, type ManifestObject } from '../synth.js';
import { validate } from './schemas.js';

export const EXAMPLE_ENV = join(import.meta.dirname, '..', '..', '.env.example');
/** What the operator adds to .env.example (the one key it says MUST be set). */
export const EXAMPLE_ADDITIONS = '\nTURN_URLS=turn:turn.example.com:3478?transport=udp\n';

// A non-trivial .env: private registry with a GPU app from another registry, other pools and taints,
// 2 GPUs, Ingress on a controller without nginx annotations, no TLS, ratio HPA, router off.
export const CUSTOM_ENV = `
# custom deployment
NAMESPACE=games
TURN_NAMESPACE=games-turn
IMAGE_REGISTRY=registry.example.com:5000/studio
STREAMER_IMAGE=iad.ocir.io/tenancy/unreal
STREAMER_TAG=5.5.1
STREAMER_RUN_AS=1000:1000
STREAMER_PULL_SECRET=ocir
STREAMER_WRITABLE_PATHS=/tmp,/home/ue/app/Game/Saved
STREAMER_CPU_REQUEST=3500m
STREAMER_MEMORY_REQUEST=6Gi
STREAMER_MEMORY_LIMIT=none
SIDECAR_TAG=latest
IMAGE_PULL_SECRET=regcred
ENTRY=ingress
INGRESS_HOST=play.example.org
INGRESS_CLASS=traefik
INGRESS_NAMESPACE=traefik
TLS_ISSUER=none
GPU_POOL_LABEL=pool=a10
GPU_POOL_TAINT=dedicated=gpu:NoExecute
TURN_POOL_LABEL=pool=edge
TURN_POOL_TAINT=none
TURN_LISTEN_PORT=443
TURN_MIN_PORT=40000
TURN_MAX_PORT=40999
TURN_EXPORTER_PORT=9650
STREAMER_TOKEN_REQUIRED=false
TURN_ALLOWED_PEER_CIDRS=10.42.0.0/16,fd00:42::/56
TURN_URLS=turn:turn.example.org:443?transport=udp,turn:turn.example.org:443?transport=tcp
GPUS_PER_POD=2
ROUTER_ENABLED=false
HPA_METRIC=ratio
HPA_MIN_REPLICAS=2
HPA_MAX_REPLICAS=40
HPA_SCALE_UP_PODS=8
HPA_SCALE_DOWN_STABILIZATION_SECONDS=600
DRAIN_TIMEOUT_SECONDS=900
STREAM_BUFFER=3
`;

/** The .env files every construct's tests run against, by label. */
export const VARIANT_ENVS = {
  // .env.example as shipped plus TURN_URLS.
  '.env.example': () => readFileSync(EXAMPLE_ENV, 'utf8') + EXAMPLE_ADDITIONS,
  // The Unreal wrapper on a shared Gateway.
  'attached to a Gateway': () =>
    `${EXAMPLE_ADDITIONS}STREAMER_IMAGE=pixelstream-unreal\nGATEWAY_PARENT=infra/shared\nGATEWAY_LISTENER=https\nGATEWAY_DATAPLANE_NAMESPACE=infra\nENTRY_TIMEOUT_SECONDS=0\nTLS_ISSUER=none\nIMAGE_PULL_POLICY=Always\n`,
  'custom .env': () => CUSTOM_ENV,
  // Gateway API without the timeouts field (implementations that do not support it), router off.
  'Gateway without timeouts, no router': () =>
    `${EXAMPLE_ADDITIONS}ENTRY_TIMEOUT_SECONDS=none\nROUTER_ENABLED=false\nGATEWAY_DATAPLANE_NAMESPACE=pixelstream\n`,
} as const;
export type Variant = keyof typeof VARIANT_ENVS;

export interface Synth {
  readonly config: KitConfig;
  readonly objects: ManifestObject[];
  /** The output folder (manifests and kustomization.yaml). */
  readonly dir: string;
  /** The manifests file as written. */
  readonly text: string;
}

/**
 * A synthesizer writing into a temporary folder of its own (removed after the file's tests): `envText` as a
 * .env file → config → manifests and overlay on disk → the objects read back.
 */
export function synthesizer(prefix: string): (name: string, envText: string | undefined) => Synth {
  const work = tempDir(prefix);
  return (name, envText) => {
    const dir = join(work, name);
    let env: Record<string, string | undefined> = {};
    if (envText !== undefined) {
      const envFile = join(work, `${name}.env`);
      writeFileSync(envFile, envText);
      env = kitEnv(envFile, {});
    }
    const config = loadKitConfig(env);
    const file = synthesize(config, dir);
    const objects = readManifests(file);
    writeOverlay(config, dir, objects);
    return { config, objects, dir, text: readFileSync(file, 'utf8') };
  };
}

/** A test file's variants: each of VARIANT_ENVS synthesized, and the synthesizer for any other .env. */
export interface TestVariants {
  /** `[label, synth]` rows for describe.each. */
  readonly rows: [Variant, Synth][];
  /** The variant of `label`. */
  of(label: Variant): Synth;
  /** Synthesizes another .env into the same temporary folder. */
  readonly synth: (name: string, envText: string | undefined) => Synth;
}

export function testVariants(prefix: string): TestVariants {
  const synth = synthesizer(prefix);
  const labels = Object.keys(VARIANT_ENVS) as Variant[];
  // Each variant is synthesized when first asked for: a file that needs only some never builds the rest.
  const built = new Map<Variant, Synth>();
  const of = (label: Variant): Synth => {
    let s = built.get(label);
    if (s === undefined) {
      s = synth(`v${labels.indexOf(label)}`, VARIANT_ENVS[label]());
      built.set(label, s);
    }
    return s;
  };
  return {
    get rows() {
      return labels.map((label): [Variant, Synth] => [label, of(label)]);
    },
    synth,
    of,
  };
}

/** The schema type of each kind the kit writes. */
export interface Kinds {
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Service: IService;
  ServiceAccount: IServiceAccount;
  Deployment: IDeployment;
  DaemonSet: IDaemonSet;
  Role: IRole;
  RoleBinding: IRoleBinding;
  ClusterRole: IClusterRole;
  ClusterRoleBinding: IClusterRoleBinding;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  Ingress: IIngress;
  NetworkPolicy: INetworkPolicy;
  PodDisruptionBudget: IPodDisruptionBudget;
  PriorityClass: IPriorityClass;
  ServiceMonitor: IServiceMonitor;
  PodMonitor: IPodMonitor;
  PrometheusRule: IPrometheusRule;
  Gateway: IGateway;
  HTTPRoute: IHTTPRoute;
  ScaledObject: IScaledObject;
}
export type Kind = keyof Kinds;

/** The objects of `kind`, each validated against its schema. */
export function all<K extends Kind>(s: Synth | readonly ManifestObject[], kind: K): Kinds[K][] {
  const objects = 'objects' in s ? s.objects : s;
  return objects.filter((o) => o.kind === kind).map((o) => typed(o, kind));
}

/** The object `kind/name`, validated against its schema; throws when it is missing. */
export function find<K extends Kind>(s: Synth | readonly ManifestObject[], kind: K, name: string): Kinds[K] {
  const objects = 'objects' in s ? s.objects : s;
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`${kind}/${name} missing`);
  return typed(o, kind);
}

/** The names of the objects of `kind`, sorted. */
export function names(s: Synth, kind: Kind): string[] {
  return s.objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();
}

/** Whether `kind/name` is among the objects. */
export function has(s: Synth, kind: Kind, name: string): boolean {
  return s.objects.some((o) => o.kind === kind && o.metadata.name === name);
}

/** Objects already checked against their schema: a test file looks the same object up many times. */
const validated = new WeakSet<ManifestObject>();

function typed<K extends Kind>(o: ManifestObject, kind: K): Kinds[K] {
  if (o.kind !== kind) throw new Error(`${o.kind}/${o.metadata.name} is not a ${kind}`);
  // Checked against the official schema of its apiVersion and kind: the static type is what was checked.
  if (!validated.has(o)) {
    validate(o);
    validated.add(o);
  }
  return o as unknown as Kinds[K];
}

export type Workload = IDeployment | IDaemonSet;

/** The Deployments and DaemonSets: every object with a pod template. */
export function workloads(s: Synth): Workload[] {
  return [...all(s, 'Deployment'), ...all(s, 'DaemonSet')];
}

/** A workload's pod spec (throws when it has none). */
export function podSpec(w: Workload): IPodSpec {
  const spec = w.spec?.template.spec;
  if (spec === undefined) throw new Error(`${w.metadata?.name ?? '?'}: no pod spec`);
  return spec;
}

/** The labels of a workload's pods. */
export function podLabels(w: Workload): Record<string, string> {
  return w.spec?.template.metadata?.labels ?? {};
}

/** A container of a workload (or of a pod spec) by name (throws when it is missing). */
export function container(w: Workload | IPodSpec, name: string): IContainer {
  const pod = 'containers' in w ? w : podSpec(w);
  const c = pod.containers.find((x) => x.name === name);
  if (c === undefined) throw new Error(`container ${name} missing`);
  return c;
}

/** A container's env by name: the plain value, or where it comes from (Secret, downward API). */
export function envOf(c: IContainer): Record<string, string | IEnvVarSource | undefined> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}
