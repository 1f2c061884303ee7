// The one typed configuration of a deployment: read from a `.env` file plus the environment, every key
// documented and defaulted here, every problem listed at once. The manifests (k8s/), kustom.sh and the
// autoscaling simulator all read it, so a value means the same thing everywhere.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseEnv as parseDotEnvText } from 'node:util';
import { parseCidr, type Cidr } from './cidr.js';
import { parsePrewarmSchedule } from './prewarm-schedule.js';
import {
  ConfigError,
  about,
  checked,
  envBool,
  envEnum,
  envInt,
  envList,
  envUrl,
  parseEnv,
  ruleFor,
  type Env,
  type EnvField,
  type ParsedEnv,
} from './env-config.js';
import { envDrainTimeoutSeconds, envLogLevel, envQueueTimeoutSeconds } from './session-env.js';
import {
  envIceTransportPolicy,
  envTurnExporterPort,
  envTurnListenPort,
  envTurnMaxPort,
  envTurnMinPort,
  envTurnRealm,
  envTurnTtlSeconds,
  portInRelayRange,
  privilegedRelayPorts,
  reversedRelayPorts,
} from './turn-env.js';
import { MIG_STRATEGIES, parseGpuSharing } from './gpu-sharing.js';
import { allowedPeerClashes } from './peer-policy.js';

/** Autoscaling inputs the HPA can target (see support/ adapter rules and common/metric-names.ts ADAPTER). */
export const HPA_METRICS = ['demand', 'ratio', 'available'] as const;
export const AUTOSCALERS = ['hpa', 'keda'] as const;
export const STREAM_BUFFER_MODES = ['fixed', 'adaptive'] as const;
export type HpaMetric = (typeof HPA_METRICS)[number];

/** HPA target used when HPA_TARGET is unset: demand keeps STREAM_BUFFER free streams at AverageValue 1. */
export const DEFAULT_HPA_TARGET: Record<HpaMetric, number> = { demand: 1, ratio: 0.9, available: 1 };

/** The kit's version: the default tag of its images (scripts/build-images.sh tags them with it). */
export const KIT_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** User and group the kit's own images run as (their Dockerfiles' USER). */
export const KIT_IMAGE_UID = 65532;
/** User and group of the Unreal wrapper image (streamer/unreal/Dockerfile chowns the app to it). */
export const UNREAL_IMAGE_UID = 10001;
/** Image name (last path part) of the Unreal wrapper. */
export const UNREAL_IMAGE_NAME = 'pixelstream-unreal';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

// RFC 1123 names as Kubernetes checks them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
// An image name, optionally starting with a registry host[:port]/ (no tag: tags have their own keys).
const IMAGE_REF = /^([A-Za-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const RUN_AS = /^(\d{1,10})(?::(\d{1,10}))?$/;
// Kubernetes resource quantities (decimal and binary suffixes, or millicores).
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const ABSOLUTE_PATH = /^\/[^\s,:]*$/;
const REGISTRY = /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** What is wrong with one value (undefined: nothing). */
type ValueProblem = (value: string) => string | undefined;

/** A value `re` matches, or one of `allowed` (an empty value meaning "none", for instance). */
const matching =
  (re: RegExp, problem: string, allowed: readonly string[] = []): ValueProblem =>
  (v) =>
    allowed.includes(v) || re.test(v) ? undefined : problem;

const runAsProblem: ValueProblem = (v) => {
  const ids = parseRunAs(v);
  if (ids === undefined) return 'must be uid[:gid]';
  return ids.uid === 0 || ids.gid === 0 ? 'must not be root (0): every pod runs as non-root' : undefined;
};
const absolutePath: ValueProblem = (v) =>
  ABSOLUTE_PATH.test(v) && v !== '/' ? undefined : 'must be an absolute path other than /';
const QUANTITY_PROBLEM = 'must be a quantity such as 2, 500m or 4Gi';

/** A string with a default; an empty value means the default (typed as string, unlike envString). */
const text = (def: string): EnvField<string> => ({
  read: (raw) => ({ ok: true, value: raw === undefined || raw.trim() === '' ? def : raw.trim() }),
});

const optionalNumber: EnvField<number | undefined> = {
  read: (raw) => {
    if (raw === undefined || raw.trim() === '') return { ok: true, value: undefined };
    if (!/^\d+(\.\d+)?$/.test(raw)) return { ok: false, problems: ['must be a positive number'] };
    const n = Number(raw);
    return n > 0 && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, problems: ['must be > 0'] };
  },
};

/** A text key whose value `problem` checks. */
const textWith = (def: string, problem: ValueProblem) => checked(text(def), problem);
/** A text key `re` must match, or one of `allowed`. */
const textMatching = (def: string, re: RegExp, problem: string, allowed: readonly string[] = []) =>
  textWith(def, matching(re, problem, allowed));

const dnsLabel = (def: string) => textMatching(def, DNS_LABEL, 'must be a DNS-1123 label');
const dnsName = (def: string, allowed: readonly string[] = []) =>
  textMatching(def, DNS_SUBDOMAIN, 'must be a DNS-1123 name', allowed);
const claimName = () => textMatching('', DNS_SUBDOMAIN, 'must be a PersistentVolumeClaim name', ['']);
const registry = () =>
  textMatching('', REGISTRY, 'must be host[:port][/path] without a trailing slash', ['']);
const imageName = (def: string) =>
  textMatching(def, IMAGE_REF, 'must be an image name ([registry/]path, lowercase, no tag)');
const imageTag = () => textMatching(KIT_VERSION, TAG, 'must be an image tag');
/** uid[:gid], never root; empty (where that is the default) = chosen by image. */
const runAs = (def: string) => textWith(def, (v) => (v === '' ? undefined : runAsProblem(v)));
const quantity = (def: string, allowed: readonly string[] = []) =>
  textMatching(def, QUANTITY, QUANTITY_PROBLEM, allowed);
const nodeLabel = (def: string) =>
  textWith(def, (v) => (parseNodeLabel(v) === undefined ? 'must be key=value' : undefined));
const nodeTaint = (def: string) =>
  textWith(def, (v) =>
    v === 'none' || parseNodeTaint(v) !== undefined
      ? undefined
      : 'must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute',
  );

/**
 * Every key of the kit's `.env`, with its default. The comment above each key is the documentation that
 * `.env.example` and k8s/README.md repeat.
 */
export const KIT_CONFIG_SHAPE = {
  // --- where and what to deploy ---
  /** Namespace of the streamers, the router and everything else except TURN (Pod Security `restricted`). */
  NAMESPACE: dnsLabel('pixelstream'),
  /** Namespace of the TURN DaemonSet: host networking needs Pod Security `privileged`, so it lives apart. */
  TURN_NAMESPACE: dnsLabel('pixelstream-turn'),
  /**
   * Registry/repository put before every image name that does not name a registry itself (e.g.
   * ghcr.io/acme/pixel); empty = image names as given.
   */
  IMAGE_REGISTRY: registry(),
  /** Signalling sidecar image name and tag (the kit's images are tagged with the kit version). */
  SIDECAR_IMAGE: imageName('pixelstream-signalserver'),
  SIDECAR_TAG: imageTag(),
  /** The GPU application (Unreal or any pixel-streaming app) image name and tag. */
  STREAMER_IMAGE: imageName('pixelstream-streamer'),
  STREAMER_TAG: imageTag(),
  /** Registry of the GPU application when it is not IMAGE_REGISTRY; empty = IMAGE_REGISTRY. */
  STREAMER_IMAGE_REGISTRY: registry(),
  /** coturn image (turn/) name and tag. */
  TURN_IMAGE: imageName('pixelstream-turn'),
  TURN_TAG: imageTag(),
  /** Session router image name and tag. */
  ROUTER_IMAGE: imageName('pixelstream-router'),
  ROUTER_TAG: imageTag(),
  /** Name of a docker-registry Secret for the kit's private images; empty = none. */
  IMAGE_PULL_SECRET: dnsName('', ['', 'none']),
  /** docker-registry Secret for the GPU application's image; empty = IMAGE_PULL_SECRET. */
  STREAMER_PULL_SECRET: dnsName('', ['', 'none']),
  /** auto = Always for a `latest` tag, IfNotPresent for any other; or Always, IfNotPresent, Never. */
  IMAGE_PULL_POLICY: envEnum(['auto', ...PULL_POLICIES], 'auto'),
  /** User and group (uid[:gid]) of each image; they must match the images' own users and files. */
  SIDECAR_RUN_AS: runAs(`${KIT_IMAGE_UID}:${KIT_IMAGE_UID}`),
  ROUTER_RUN_AS: runAs(`${KIT_IMAGE_UID}:${KIT_IMAGE_UID}`),
  TURN_RUN_AS: runAs(`${KIT_IMAGE_UID}:${KIT_IMAGE_UID}`),
  /** Empty = 10001:10001 for the Unreal wrapper (pixelstream-unreal), 65532:65532 for any other image. */
  STREAMER_RUN_AS: runAs(''),
  /**
   * Paths the GPU app may write (an emptyDir each; its root file system is read-only), e.g. an Unreal
   * project's Saved folder.
   */
  STREAMER_WRITABLE_PATHS: envList(['/tmp'], absolutePath),
  /** CPU and memory the GPU app's container requests (the scheduler reserves them on the GPU node). */
  STREAMER_CPU_REQUEST: quantity('2'),
  STREAMER_MEMORY_REQUEST: quantity('4Gi'),
  /** Memory limit of the GPU app's container; `none` = no limit. */
  STREAMER_MEMORY_LIMIT: quantity('8Gi', ['none']),
  /**
   * The reference streamer's STREAM_SOURCE for the pool (empty = the image's default). `process:<function>`
   * makes it a processing pool: each player's own camera through a function (streamer README).
   */
  STREAMER_SOURCE: textMatching(
    '',
    /^(testsrc$|file:.|x11::\d|rtp:\d|process:.)/,
    'must be testsrc, file:…, x11::…, rtp:… or process:… (or empty)',
    [''],
  ),
  /** A PersistentVolumeClaim mounted at RECORD_PATH for `process:record` (empty = no recording volume). */
  RECORD_CLAIM: claimName(),
  RECORD_PATH: textWith('/recordings', absolutePath),

  // --- a processing pool beside the rendering pool (or instead of it) ---
  /**
   * The processing pool's STREAM_SOURCE, `process:<function>` (streamer README, Processing); empty = no
   * processing pool. It gets its own pods, Service, router, autoscaler and entry path (PROCESS_PATH).
   */
  PROCESS_SOURCE: textMatching('', /^process:./, 'must be process:<function> (or empty)', ['']),
  /** Its image name and tag (the reference streamer: it ships the example functions). */
  PROCESS_IMAGE: imageName('pixelstream-streamer'),
  PROCESS_TAG: imageTag(),
  /** Its container's uid[:gid]; empty = 65532:65532 (the reference streamer's user). */
  PROCESS_RUN_AS: runAs(''),
  /**
   * The processing pool's STREAM_CODEC, which the player's camera is sent in too: vp8 (every browser can
   * encode it) or h264 (NVENC for the returned stream; needs an H.264 encoder in the player's browser).
   * Also the rendering pool's, when STREAMER_SOURCE makes it a processing pool.
   */
  PROCESS_CODEC: envEnum(['vp8', 'h264'], 'vp8'),
  /** GPUs each processing pod requests (GPU_SHARING applies); 0 = none, on the default node pool. */
  PROCESS_GPUS_PER_POD: envInt(1, 0, 16),
  /** Bounds of the processing pool's autoscaler (the rendering pool's are HPA_MIN/MAX_REPLICAS). */
  PROCESS_MIN_REPLICAS: envInt(1, 1, 10_000),
  PROCESS_MAX_REPLICAS: envInt(10, 1, 10_000),
  /** A PersistentVolumeClaim mounted at RECORD_PATH in the processing pods (for process:record); empty = none. */
  PROCESS_RECORD_CLAIM: claimName(),
  /** The entry path players open for the processing pool, e.g. https://INGRESS_HOST/process/ (beside a rendering pool). */
  PROCESS_PATH: textMatching(
    '/process/',
    // One path segment: the router strips nothing, the entry maps /<segment>/ to the pool's router root.
    /^\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/$/,
    'must be one lowercase path segment such as /process/',
  ),
  /** false = no rendering pool: the processing pool alone, at the entry's root (needs PROCESS_SOURCE). */
  RENDER_POOL_ENABLED: envBool(true),

  // --- player entry ---
  /** gateway: a Gateway API Gateway + HTTPRoute (default); ingress: a networking.k8s.io Ingress. */
  ENTRY: envEnum(['gateway', 'ingress'], 'gateway'),
  /** Public host name of the player page (HTTPRoute/Ingress host and TLS certificate). */
  INGRESS_HOST: textMatching('pixel.example.com', DNS_SUBDOMAIN, 'must be a lowercase DNS name'),
  /** GatewayClass of the kit's own Gateway (eg = Envoy Gateway; see k8s/README.md for others). */
  GATEWAY_CLASS: dnsName('eg'),
  /** An existing Gateway to attach the HTTPRoute to, as namespace/name; empty = the kit creates its own. */
  GATEWAY_PARENT: textWith('', (v) =>
    v === '' || parseGatewayParent(v) !== undefined ? undefined : 'must be namespace/name of a Gateway',
  ),
  /** Listener (sectionName) of GATEWAY_PARENT to attach to; empty = every listener that admits the route. */
  GATEWAY_LISTENER: textMatching('', DNS_SUBDOMAIN, 'must be a listener name', ['']),
  /**
   * HTTPRoute timeouts.request/backendRequest: the longest a request — a signalling WebSocket lives as long
   * as its session — may last through the Gateway; 0 = none ("0s", or the implementation's longest);
   * `none` = leave the field out, for implementations that do not support it.
   */
  ENTRY_TIMEOUT_SECONDS: textWith('86400', (v) =>
    v === 'none' || (/^\d{1,5}$/.test(v) && Number(v) <= 86_400)
      ? undefined
      : 'must be 0–86400 seconds or none',
  ),
  /** Namespace of the Gateway's data-plane (proxy) pods: the NetworkPolicy source for the router. */
  GATEWAY_DATAPLANE_NAMESPACE: dnsLabel('envoy-gateway-system'),
  /** IngressClass (ENTRY=ingress). */
  INGRESS_CLASS: dnsName('nginx'),
  /** Namespace of the ingress controller (ENTRY=ingress; NetworkPolicy source). */
  INGRESS_NAMESPACE: dnsLabel('ingress-nginx'),
  /** cert-manager ClusterIssuer for the TLS certificate; `none` = no TLS (not recommended). */
  TLS_ISSUER: dnsName('letsencrypt-prod', ['', 'none']),
  /** Secret cert-manager writes the certificate into. */
  TLS_SECRET_NAME: dnsName('pixelstream-tls'),
  /** Namespace of Prometheus (NetworkPolicy: who may scrape metrics). */
  MONITORING_NAMESPACE: dnsLabel('prometheus'),
  /** `release` label for Prometheus installs that select ServiceMonitors/rules by it; empty = none (support/ selects all). */
  PROMETHEUS_RELEASE: textMatching('', LABEL_VALUE, 'must be a label value'),

  // --- TURN ---
  /** Secret holding the shared TURN REST secret under key `secret` (never in .env). */
  TURN_SECRET_NAME: dnsName('turn-secret'),
  /** CIDRs coturn may relay to: the pod CIDR(s) where streamers live. Everything else private is refused. */
  TURN_ALLOWED_PEER_CIDRS: checked(
    envList(['10.244.0.0/16'], (v) => (isCidr(v) ? undefined : 'is not a CIDR')),
    (cidrs) => (cidrs.length === 0 ? 'list the pod CIDR(s) of the streamers' : undefined),
  ),
  /** The cluster's Service CIDR: always refused as a relay peer. */
  TURN_SERVICE_CIDR: textWith('10.96.0.0/12', (v) => (isCidr(v) ? undefined : 'must be a CIDR')),
  /** TURN listening port (UDP and TCP) on each TURN node. */
  TURN_LISTEN_PORT: envTurnListenPort(),
  /** Relay port range on each TURN node (UDP); at least 1024, so relays never take a privileged port. */
  TURN_MIN_PORT: envTurnMinPort(),
  TURN_MAX_PORT: envTurnMaxPort(),
  /** Port of the TURN pods' log-derived metrics (/metrics, bound to the node's IP; keep it closed in the node firewall). */
  TURN_EXPORTER_PORT: envTurnExporterPort(false),
  /** TURN realm. */
  TURN_REALM: envTurnRealm(),
  /** Lifetime of the credentials the sidecar issues. */
  TURN_TTL_SECONDS: envTurnTtlSeconds(),
  /** TURN URLs handed to players and streamers, e.g. turn:turn.example.com:3478?transport=udp. */
  TURN_URLS: envList([], (v) => (/^turns?:[^\s,]+$/.test(v) ? undefined : 'must be a turn: or turns: URL')),
  /** STUN URLs handed to players and streamers. */
  STUN_URLS: envList([], (v) => (/^stuns?:[^\s,]+$/.test(v) ? undefined : 'must be a stun: URL')),
  /** STUN server coturn asks for its public address when the node has no ExternalIP; empty = none. */
  TURN_STUN_SERVER: textMatching('', /^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host[:port]', ['']),

  // --- node pools ---
  /** Label (key=value) that selects GPU nodes. */
  GPU_POOL_LABEL: nodeLabel('app.pixel/gpu=true'),
  /** Taint (key[=value]:Effect) GPU nodes carry; streamer pods tolerate it. `none` = untainted pool. */
  GPU_POOL_TAINT: nodeTaint('nvidia.com/gpu:NoSchedule'),
  /** Label (key=value) that selects TURN nodes (public IPs). */
  TURN_POOL_LABEL: nodeLabel('app.pixel/turn=true'),
  /** Taint TURN nodes carry; the TURN DaemonSet tolerates it. `none` = untainted pool. */
  TURN_POOL_TAINT: nodeTaint('app.pixel/turn=true:NoSchedule'),
  /** GPUs requested by each streamer pod (the nvidia.com/gpu limit). */
  GPUS_PER_POD: envInt(1, 1, 16),

  // --- GPU sharing (common/gpu-sharing.ts) ---
  /** `none` (one GPU per stream), `time-slicing:N` (N streams per GPU) or `mig:<profile>` (one MIG instance per stream). */
  GPU_SHARING: textWith('none', (v) => {
    const sharing = parseGpuSharing(v);
    return 'rule' in sharing ? sharing.rule : undefined;
  }),
  /** Device-plugin MIG strategy with `mig:`: `mixed` requests nvidia.com/mig-<profile>, `single` nvidia.com/gpu. */
  MIG_STRATEGY: envEnum(MIG_STRATEGIES, 'mixed'),
  /** Name and namespace of the device-plugin config ConfigMap the kit writes for GPU_SHARING (the GPU Operator's namespace). */
  DEVICE_PLUGIN_CONFIGMAP: dnsName('pixelstream-gpu-sharing'),
  DEVICE_PLUGIN_NAMESPACE: dnsLabel('gpu-operator'),
  /** Scheduler of the streamer pods: empty = the default scheduler; `pixelstream-packing` = the packing profile (support/scheduler/). */
  GPU_SCHEDULER_NAME: textMatching('', DNS_SUBDOMAIN, 'must be a DNS-1123 name or empty', ['']),

  // --- session router ---
  /** Deploy the session router (the Ingress then points at it instead of the streamer Service). */
  ROUTER_ENABLED: envBool(true),
  ROUTER_REPLICAS: envInt(2, 1, 100),
  /** Secret with key `token`: shared by router and sidecars for the reservation API. */
  ROUTER_TOKEN_SECRET_NAME: dnsName('router-token'),
  /** Secret with key `token`: what the GPU app presents on the sidecar's streamer port. */
  STREAMER_TOKEN_SECRET_NAME: dnsName('streamer-token'),
  /**
   * Whether the sidecar demands that token. `false` for Unreal Engine 4.27 apps, which cannot send one (the
   * streamer port then relies on listening on the pod's loopback only).
   */
  STREAMER_TOKEN_REQUIRED: envBool(true),
  /** Longest wait in the router's queue. */
  QUEUE_TIMEOUT_SECONDS: envQueueTimeoutSeconds(3600),

  // --- sidecar ---
  /** Seconds a draining pod waits for its session to end before it is killed. */
  DRAIN_TIMEOUT_SECONDS: envDrainTimeoutSeconds(24 * 3600),
  ICE_TRANSPORT_POLICY: envIceTransportPolicy(),
  LOG_LEVEL: envLogLevel(),

  // --- autoscaling (shared with the simulator) ---
  HPA_MIN_REPLICAS: envInt(1, 0, 10_000),
  HPA_MAX_REPLICAS: envInt(20, 1, 10_000),
  /** Which adapter metric drives the HPA: demand (recommended), ratio (original kit), available. */
  HPA_METRIC: envEnum(HPA_METRICS, 'demand'),
  /** HPA target; default per metric: DEFAULT_HPA_TARGET. */
  HPA_TARGET: optionalNumber,
  /** hpa (prometheus-adapter + HorizontalPodAutoscaler) | keda (a KEDA ScaledObject, same queries). */
  AUTOSCALER: envEnum(AUTOSCALERS, 'hpa'),
  /**
   * fixed: keep STREAM_BUFFER free streams. adaptive: keep ⌈arrival rate × time to new capacity⌉, clamped to
   * [STREAM_BUFFER_MIN, STREAM_BUFFER_MAX] (a recording rule; support/warm-capacity.ts).
   */
  STREAM_BUFFER_MODE: envEnum(STREAM_BUFFER_MODES, 'adaptive'),
  /** Free streams to keep ready with STREAM_BUFFER_MODE=fixed (the kit's PrometheusRule carries it). */
  STREAM_BUFFER: envInt(1, 0, 1000),
  STREAM_BUFFER_MIN: envInt(1, 0, 1000),
  STREAM_BUFFER_MAX: envInt(3, 0, 1000),
  /** Prometheus the KEDA ScaledObject's triggers query (AUTOSCALER=keda): kube-prometheus-stack's by default. */
  KEDA_PROMETHEUS_URL: envUrl(
    ['http', 'https'],
    'http://prometheus-stack-kube-prom-prometheus.prometheus.svc:9090',
  ),
  /** Placeholder pods at a negative priority holding warm GPU nodes; a streamer pod preempts one. */
  BALLOON_PODS: envInt(1, 0, 1000),
  /** A DaemonSet pulls the streamer and sidecar images onto every GPU node as it joins. */
  PREPULL_IMAGES: envBool(true),
  /** Minimum streams per daily window, UTC: HH:MM-HH:MM=N, comma-separated (common/prewarm-schedule.ts). */
  PREWARM_SCHEDULE: checked(envList([]), (entries) => {
    const schedule = parsePrewarmSchedule(entries);
    return 'problems' in schedule ? schedule.problems : undefined;
  }),
  HPA_SCALE_UP_STABILIZATION_SECONDS: envInt(0, 0, 3600),
  HPA_SCALE_UP_PODS: envInt(4, 1, 1000),
  HPA_SCALE_UP_PERCENT: envInt(100, 1, 1000),
  HPA_SCALE_UP_PERIOD_SECONDS: envInt(15, 1, 1800),
  HPA_SCALE_DOWN_STABILIZATION_SECONDS: envInt(300, 0, 3600),
  HPA_SCALE_DOWN_PODS: envInt(1, 1, 1000),
  HPA_SCALE_DOWN_PERIOD_SECONDS: envInt(60, 1, 1800),
} as const;

type Shape = typeof KIT_CONFIG_SHAPE;
type Parsed = ParsedEnv<Shape>;
/** The checked kit configuration; HPA_TARGET is always resolved. */
export type KitConfig = Omit<Parsed, 'HPA_TARGET'> & { HPA_TARGET: number };

/** Every key of the kit configuration, in documentation order. */
export const KIT_CONFIG_KEYS = Object.keys(KIT_CONFIG_SHAPE) as (keyof typeof KIT_CONFIG_SHAPE)[];

/** A node label selector `key=value`. */
export interface NodeLabel {
  key: string;
  value: string;
}
/** A node taint `key[=value]:Effect`; value undefined means "tolerate with Exists". */
export interface NodeTaint {
  key: string;
  value: string | undefined;
  effect: (typeof TAINT_EFFECTS)[number];
}

function validLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] ?? '';
  const prefix = parts.length === 2 ? (parts[0] ?? '') : undefined;
  if (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) return false;
  return name.length > 0 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

/** Parses `key=value`; undefined when malformed. */
export function parseNodeLabel(text: string): NodeLabel | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  return validLabelKey(key) && LABEL_VALUE.test(value) && value.length <= 63 ? { key, value } : undefined;
}

/** Parses `key[=value]:Effect`; undefined when malformed. */
export function parseNodeTaint(text: string): NodeTaint | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const effect = text.slice(colon + 1) as NodeTaint['effect'];
  if (!TAINT_EFFECTS.includes(effect)) return undefined;
  const kv = text.slice(0, colon);
  const eq = kv.indexOf('=');
  const key = eq < 0 ? kv : kv.slice(0, eq);
  const value = eq < 0 ? undefined : kv.slice(eq + 1);
  if (!validLabelKey(key) || (value !== undefined && !LABEL_VALUE.test(value))) return undefined;
  return { key, value, effect };
}

/** The CIDR (IPv4 or IPv6, prefix length required, e.g. 10.244.0.0/16 or fd00::/8), or undefined. */
function kitCidr(text: string): Cidr | undefined {
  const parsed = text.includes('/') ? parseCidr(text) : undefined;
  return typeof parsed === 'object' ? parsed : undefined;
}

/** True for an IPv4 or IPv6 CIDR such as 10.244.0.0/16 or fd00::/8. */
export function isCidr(text: string): boolean {
  return kitCidr(text) !== undefined;
}

const rule = ruleFor(KIT_CONFIG_SHAPE);

/** `low` must not exceed `high`. */
type NumberKey = { [K in keyof Parsed]: Parsed[K] extends number ? K : never }[keyof Parsed];
function ordered(low: NumberKey, high: NumberKey) {
  return rule([low, high], (c) => (c[low] > c[high] ? about(low, [`must be ≤ ${high}=${c[high]}`]) : []));
}

/**
 * TURN ports that must not meet: the listener, the metrics exporter and the relay range. The privileged
 * floor stays a rule of its own, shared with turn/config.ts (common/turn-env.ts): as a field check it would
 * hide the range's other problems (a listener the too-wide range now covers) until it was fixed.
 */
const TURN_PORT_RULES = [
  rule(['TURN_MIN_PORT'], (c) => privilegedRelayPorts(c.TURN_MIN_PORT)),
  rule(['TURN_MIN_PORT', 'TURN_MAX_PORT'], reversedRelayPorts),
  rule(['TURN_MIN_PORT', 'TURN_MAX_PORT', 'TURN_LISTEN_PORT', 'TURN_EXPORTER_PORT'], (c) => [
    ...portInRelayRange(c, 'TURN_LISTEN_PORT', c.TURN_LISTEN_PORT),
    ...(c.TURN_EXPORTER_PORT === c.TURN_LISTEN_PORT
      ? about('TURN_EXPORTER_PORT', ['must differ from TURN_LISTEN_PORT'])
      : portInRelayRange(c, 'TURN_EXPORTER_PORT', c.TURN_EXPORTER_PORT)),
  ]),
];

/** Allowed ranges that would reopen what coturn must always refuse (common/peer-policy.ts). */
const TURN_PEER_RULE = rule(['TURN_ALLOWED_PEER_CIDRS', 'TURN_SERVICE_CIDR'], (c) => {
  const allowed = c.TURN_ALLOWED_PEER_CIDRS.flatMap((text) => kitCidr(text) ?? []);
  const service = kitCidr(c.TURN_SERVICE_CIDR);
  return about(
    'TURN_ALLOWED_PEER_CIDRS',
    allowedPeerClashes(allowed, service === undefined ? [] : [service]),
  );
});

/** Rules between keys; each runs when the keys it names parsed (see parseEnv). */
const KIT_RULES = [
  TURN_PEER_RULE,
  ...TURN_PORT_RULES,
  rule(['GPU_SHARING', 'GPUS_PER_POD'], (c) => {
    const sharing = parseGpuSharing(c.GPU_SHARING);
    return 'mode' in sharing && sharing.mode !== 'none' && c.GPUS_PER_POD !== 1
      ? about('GPUS_PER_POD', [
          `must be 1 with GPU_SHARING=${c.GPU_SHARING} (a pod gets one share of one GPU)`,
        ])
      : [];
  }),
  rule(['RENDER_POOL_ENABLED', 'PROCESS_SOURCE'], (c) =>
    !c.RENDER_POOL_ENABLED && c.PROCESS_SOURCE === ''
      ? about('RENDER_POOL_ENABLED', ['needs PROCESS_SOURCE (a kit without any pool serves nobody)'])
      : [],
  ),
  ordered('PROCESS_MIN_REPLICAS', 'PROCESS_MAX_REPLICAS'),
  rule(['GPU_SHARING', 'PROCESS_GPUS_PER_POD'], (c) => {
    const sharing = parseGpuSharing(c.GPU_SHARING);
    return 'mode' in sharing && sharing.mode !== 'none' && c.PROCESS_GPUS_PER_POD > 1
      ? about('PROCESS_GPUS_PER_POD', [
          `must be 0 or 1 with GPU_SHARING=${c.GPU_SHARING} (a pod gets one share of one GPU)`,
        ])
      : [];
  }),
  ordered('STREAM_BUFFER_MIN', 'STREAM_BUFFER_MAX'),
  ordered('HPA_MIN_REPLICAS', 'HPA_MAX_REPLICAS'),
];

/**
 * Checks `env` (a `.env` file merged with the environment) against KIT_CONFIG_SHAPE. Throws ConfigError
 * listing every problem — per-key rules and cross-key rules together.
 */
export function loadKitConfig(env: Env): KitConfig {
  const parsed = parseEnv(KIT_CONFIG_SHAPE, env, KIT_RULES);
  return { ...parsed, HPA_TARGET: parsed.HPA_TARGET ?? DEFAULT_HPA_TARGET[parsed.HPA_METRIC] };
}

/** Reads a `.env` file (Node's own dotenv syntax: comments, quotes, `export`-less KEY=value lines). */
export function readDotEnv(path: string): Record<string, string> {
  const parsed = parseDotEnvText(readFileSync(path, 'utf8'));
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v ?? '']));
}

/** `.env` values merged with the environment; the environment wins, as with dotenv. */
export function kitEnv(dotEnvPath: string | undefined, env: Env = process.env): Env {
  return mergeKitEnv(dotEnvPath !== undefined && existsSync(dotEnvPath) ? readDotEnv(dotEnvPath) : {}, env);
}

/** A .env file's values (already read) with the kit's variables set in `env` winning. */
export function mergeKitEnv(file: Env, env: Env = process.env): Env {
  const merged: Env = { ...file };
  for (const key of KIT_CONFIG_KEYS) if (env[key] !== undefined) merged[key] = env[key];
  return merged;
}

function quoteDotEnv(key: string, value: string): string {
  if (/^[A-Za-z0-9_./:,@+-]*$/.test(value)) return value;
  if (/[\r\n]/.test(value))
    throw new ConfigError([{ key, value, rule: 'a .env value cannot hold a line break' }]);
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new ConfigError([{ key, value, rule: 'a .env value cannot hold both quote kinds' }]);
}

/**
 * Sets `values` in a `.env` file: a key already present is rewritten on its own line (comments and the
 * order of everything else kept); new keys are appended. Creates the file when missing.
 */
export function writeDotEnvValues(path: string, values: Record<string, string | number | boolean>): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const pending = new Map(Object.entries(values).map(([k, v]) => [k, String(v)]));
  for (const [key, value] of pending)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new ConfigError([{ key, value, rule: 'is not a .env key' }]);
  const out = lines.map((line) => {
    const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=)/.exec(line);
    const key = match?.[2];
    if (match === null || key === undefined || !pending.has(key)) return line;
    const value = pending.get(key) ?? '';
    pending.delete(key);
    return `${match[1] ?? ''}${key}${match[3] ?? '='}${quoteDotEnv(key, value)}`;
  });
  for (const [key, value] of pending) out.push(`${key}=${quoteDotEnv(key, value)}`);
  writeFileSync(path, `${out.join('\n')}\n`);
}

/** The images the kit deploys, by their .env key prefix. */
export type KitImage = 'SIDECAR' | 'STREAMER' | 'TURN' | 'ROUTER' | 'PROCESS';

/** The GPU-pool images (the rendering app, the processing pool's): they share its registry and pull Secret. */
const isPoolImage = (which: KitImage) => which === 'STREAMER' || which === 'PROCESS';

/** True when an image name starts with a registry host (a dot or a port in its first part, or localhost). */
export function namesRegistry(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/**
 * Fully qualified image reference for one of the kit's images: the registry (STREAMER_IMAGE_REGISTRY for
 * the GPU app, else IMAGE_REGISTRY) goes before a name that does not name a registry itself.
 */
export function imageRef(config: KitConfig, which: KitImage): string {
  const name = config[`${which}_IMAGE`];
  const tag = config[`${which}_TAG`];
  const registry =
    isPoolImage(which) && config.STREAMER_IMAGE_REGISTRY !== ''
      ? config.STREAMER_IMAGE_REGISTRY
      : config.IMAGE_REGISTRY;
  return `${registry === '' || namesRegistry(name) ? '' : `${registry}/`}${name}:${tag}`;
}

/** IMAGE_PULL_POLICY, with `auto` resolved: a moving `latest` tag is pulled every time, others once. */
export function pullPolicy(config: KitConfig, which: KitImage): PullPolicy {
  if (config.IMAGE_PULL_POLICY !== 'auto') return config.IMAGE_PULL_POLICY;
  return config[`${which}_TAG`] === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The docker-registry Secret for an image's pod (the GPU app may have its own). */
export function pullSecretFor(config: KitConfig, which: KitImage): string {
  return isPoolImage(which) && config.STREAMER_PULL_SECRET !== ''
    ? config.STREAMER_PULL_SECRET
    : config.IMAGE_PULL_SECRET;
}

/** Parses uid[:gid] (gid defaults to uid); undefined when malformed. */
export function parseRunAs(text: string): { uid: number; gid: number } | undefined {
  const m = RUN_AS.exec(text);
  if (m === null) return undefined;
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

/** The user and group an image runs as (STREAMER_RUN_AS empty: by image, the Unreal wrapper's or the kit's). */
export function runAsFor(config: KitConfig, which: KitImage): { uid: number; gid: number } {
  const text = config[`${which}_RUN_AS`];
  const parsed = text === '' ? undefined : parseRunAs(text);
  if (parsed !== undefined) return parsed;
  const base = config.STREAMER_IMAGE.split('/').pop();
  const uid = which === 'STREAMER' && base === UNREAL_IMAGE_NAME ? UNREAL_IMAGE_UID : KIT_IMAGE_UID;
  return { uid, gid: uid };
}

/** Parses GATEWAY_PARENT (namespace/name); undefined when malformed. */
export function parseGatewayParent(text: string): { namespace: string; name: string } | undefined {
  const [namespace, name, ...rest] = text.split('/');
  if (namespace === undefined || name === undefined || rest.length > 0) return undefined;
  return DNS_LABEL.test(namespace) && DNS_SUBDOMAIN.test(name) ? { namespace, name } : undefined;
}
