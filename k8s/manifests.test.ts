// Synthesizes the kit with the defaults and with a non-trivial .env, reads the YAML written to disk (not
// the in-memory chart), validates every object against the official schemas, then asserts explicitly what
// must never regress.
// The .env files: .env.example plus TURN_URLS, the Unreal wrapper on an existing Gateway, a Gateway without
// timeouts and no router, and an Ingress .env. Every container's env goes through its component's own
// config checker (the router's POD_SELECTOR must match the streamer pods, tokens come from one Secret);
// RBAC must equal the pod patcher's calls; no Secret values or static TURN passwords appear. `kubectl
// kustomize` runs on the overlay, and ./kustom.sh with a good, broken (every problem, exit 2), missing and
// as-shipped .env (refused, naming TURN_URLS). Needs kubectl (skips locally without it, fails in CI).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any --
   the objects are parsed YAML: `validate()` checks them against the schemas, the assertions read fields directly */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { KIT_VERSION, kitEnv, loadKitConfig, type KitConfig } from '../common/kit-config.js';
import { ADAPTER, SIDECAR } from '../common/metric-names.js';
import {
  ALLOCATED_LABEL,
  COMPONENT_LABEL,
  ROUTER_RBAC_RULES,
  SIDECAR_RBAC_RULES,
} from '../common/pod-marks.js';
import { adapterRules, serviceMetricQuery } from '../support/index.js';
import { requirements } from '../test/support/tools.js';
import { manifestWarnings } from './manifest-problems.js';
import { monitoringOptions } from './kit-chart.js';
import { loadRouterConfig } from '../router/index.js';
import { DRAINED_PATH } from '../signalserver/drain-wait.js';
import { containerProblems } from './container-checks.js';
import { GRAFANA_FOLDER, GRAFANA_FOLDER_ANNOTATION } from './monitoring.js';
import { PAUSE_IMAGE } from './balloon.js';
import { TERMINATION_MARGIN_SECONDS } from './streamer-pool.js';
import { readManifests, synthesize, writeOverlay, type ManifestObject } from './synth.js';
import { TURN_PROBE_COMMAND, TURN_RBAC_RULES } from './turn.js';
import { validate } from './testing/schemas.js';

const work = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EXAMPLE_ENV = join(import.meta.dirname, '..', '.env.example');
/** What the operator adds to .env.example (the one key it says MUST be set). */
const EXAMPLE_ADDITIONS = '\nTURN_URLS=turn:turn.example.com:3478?transport=udp\n';

// A non-trivial .env: private registry with a GPU app from another registry, other pools and taints,
// 2 GPUs, Ingress on a controller without nginx annotations, no TLS, ratio HPA, router off.
const CUSTOM_ENV = `
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

/**
 * What the Pod Security `restricted` profile refuses in a pod spec (Kubernetes' pod-security-admission
 * checks, the fields the kit can set): host namespaces and ports, volume types, privilege escalation,
 * capabilities beyond NET_BIND_SERVICE, root, seccomp.
 */
function restrictedProblems(pod: any): string[] {
  const out: string[] = [];
  if (pod.hostNetwork) out.push('hostNetwork');
  if (pod.hostPID || pod.hostIPC) out.push('host namespaces');
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
    if ((k.ports ?? []).some((p: any) => p.hostPort !== undefined)) out.push(`${k.name}: hostPort`);
    if (sc.privileged) out.push(`${k.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${k.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${k.name}: capabilities not dropped`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') out.push(`${k.name}: adds ${String(cap)}`);
    if (!(sc.runAsNonRoot ?? podNonRoot)) out.push(`${k.name}: runAsNonRoot`);
    if (sc.runAsUser === 0) out.push(`${k.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${k.name}: seccompProfile`);
  }
  return out;
}

interface Synth {
  config: KitConfig;
  objects: ManifestObject[];
  dir: string;
  text: string;
}

function synth(name: string, envText: string | undefined): Synth {
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
}

// .env.example as shipped plus TURN_URLS; the Unreal wrapper on a shared Gateway; the custom .env above.
const defaults = synth('default', readFileSync(EXAMPLE_ENV, 'utf8') + EXAMPLE_ADDITIONS);
const attached = synth(
  'attached',
  `${EXAMPLE_ADDITIONS}STREAMER_IMAGE=pixelstream-unreal\nGATEWAY_PARENT=infra/shared\nGATEWAY_LISTENER=https\nGATEWAY_DATAPLANE_NAMESPACE=infra\nENTRY_TIMEOUT_SECONDS=0\nTLS_ISSUER=none\nIMAGE_PULL_POLICY=Always\n`,
);
const custom = synth('custom', CUSTOM_ENV);
// Gateway API without the timeouts field (implementations that do not support it), router off.
const untimed = synth(
  'untimed',
  `${EXAMPLE_ADDITIONS}ENTRY_TIMEOUT_SECONDS=none\nROUTER_ENABLED=false\nGATEWAY_DATAPLANE_NAMESPACE=pixelstream\n`,
);

type Obj = ManifestObject & {
  spec?: any;
  data?: Record<string, string>;
  rules?: any[];
  subjects?: any[];
  roleRef?: any;
  automountServiceAccountToken?: boolean;
};

function find(s: Synth, kind: string, name: string): Obj {
  const o = s.objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`${kind}/${name} missing`);
  return o;
}
function container(pod: Obj, name: string): any {
  const c = (pod.spec.template.spec.containers as any[]).find((x) => x.name === name);
  if (c === undefined) throw new Error(`container ${name} missing`);
  return c;
}
function envOf(c: any): Record<string, any> {
  return Object.fromEntries((c.env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
}

describe.each([
  ['.env.example', defaults],
  ['attached to a Gateway', attached],
  ['custom .env', custom],
  ['Gateway without timeouts, no router', untimed],
])('manifests (%s)', (_label, s) => {
  const c = s.config;

  it('every object in the YAML on disk is valid against the official schemas', () => {
    expect(s.objects.length).toBeGreaterThan(15);
    for (const o of s.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    // TURN apart (its namespace needs Pod Security privileged for host networking), everything else in NAMESPACE.
    for (const o of s.objects)
      if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding' && o.kind !== 'PriorityClass')
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(
          o.metadata.labels?.[COMPONENT_LABEL] === 'turn' ? c.TURN_NAMESPACE : c.NAMESPACE,
        );
    expect(find(s, 'DaemonSet', 'turn').metadata.namespace).toBe(c.TURN_NAMESPACE);
    expect(find(s, 'ClusterRoleBinding', `pixelstream-turn-${c.NAMESPACE}`).subjects).toEqual([
      { kind: 'ServiceAccount', name: 'turn', namespace: c.TURN_NAMESPACE },
    ]);
  });

  it("every container would start: each component's own config checker accepts the env its manifest gives it", () => {
    expect(containerProblems(s.objects)).toEqual([]);
  });

  it('streamer pods: GPU limit is a real quantity, GPU pool only, drain-safe, HPA-owned', () => {
    const d = find(s, 'Deployment', 'streamer');
    expect(d.spec.replicas).toBeUndefined();
    const pod = d.spec.template.spec;
    const app = container(d, 'streamer');
    const gpu: unknown = app.resources.limits['nvidia.com/gpu'];
    expect(gpu).not.toBeNull();
    expect(String(gpu)).toBe(String(c.GPUS_PER_POD));
    expect(s.text).toMatch(new RegExp(`nvidia\\.com/gpu: "?${c.GPUS_PER_POD}"?\\n`));
    const [labelKey, labelValue] = c.GPU_POOL_LABEL.split('=');
    expect(pod.nodeSelector).toEqual({ [labelKey ?? '']: labelValue });
    expect(pod.terminationGracePeriodSeconds).toBe(c.DRAIN_TIMEOUT_SECONDS + TERMINATION_MARGIN_SECONDS);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(c.DRAIN_TIMEOUT_SECONDS);
    // The app's preStop needs no tool in its image: an HTTP GET the sidecar holds until the drain leaves no
    // session. By port number (a name would be looked up among the app container's own ports, which has none).
    expect(app.lifecycle.preStop).toEqual({ httpGet: { path: DRAINED_PATH, port: 9000 } });
    const side = container(d, 'signalserver');
    expect(side.ports).toContainEqual({ name: 'metrics', containerPort: 9000, protocol: 'TCP' });
    expect(envOf(side).METRICS_PORT).toBe('9000');
    // The sidecar has no hook: SIGTERM starts its drain at once.
    expect(side.lifecycle).toBeUndefined();
    expect(d.spec.template.metadata.labels[ALLOCATED_LABEL]).toBe('false');
    expect(d.spec.template.metadata.labels[COMPONENT_LABEL]).toBe('streamer');
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      fsGroup: 65532, // the sidecar's group: its projected API token is group-readable
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // Each container runs as its image's user, never root, on a read-only root file system.
    const appUser = c === custom.config ? 1000 : c.STREAMER_IMAGE === 'pixelstream-unreal' ? 10001 : 65532;
    expect(app.securityContext).toMatchObject({ runAsUser: appUser, runAsGroup: appUser });
    expect(side.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
    for (const k of pod.containers)
      expect(k.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        runAsGroup: expect.any(Number),
        capabilities: { drop: ['ALL'] },
      });
    // …writing only to an emptyDir per STREAMER_WRITABLE_PATHS entry.
    expect(app.volumeMounts).toEqual(
      c.STREAMER_WRITABLE_PATHS.map((path, i) => ({ name: `app-writable-${i}`, mountPath: path })),
    );
    for (const m of app.volumeMounts)
      expect(pod.volumes.find((v: any) => v.name === m.name)).toEqual({ name: m.name, emptyDir: {} });
    // The app requests CPU and memory (scheduling on the GPU node reserves them).
    expect(app.resources.requests).toEqual({
      cpu: c.STREAMER_CPU_REQUEST,
      memory: c.STREAMER_MEMORY_REQUEST,
    });
    expect(app.resources.limits.memory).toBe(
      c.STREAMER_MEMORY_LIMIT === 'none' ? undefined : c.STREAMER_MEMORY_LIMIT,
    );
    const secrets = [c.IMAGE_PULL_SECRET, c.STREAMER_PULL_SECRET].filter((x) => x !== '');
    expect(pod.imagePullSecrets).toEqual(
      secrets.length === 0 ? undefined : secrets.map((name) => ({ name })),
    );
  });

  it('images: kit-version tags by default, pull policy Always only for latest (or when asked)', () => {
    for (const o of s.objects as Obj[])
      for (const k of o.spec?.template?.spec?.containers ?? []) {
        const tag = (k.image as string).split(':').pop();
        expect(k.imagePullPolicy, k.image).toBe(
          c.IMAGE_PULL_POLICY !== 'auto' ? c.IMAGE_PULL_POLICY : tag === 'latest' ? 'Always' : 'IfNotPresent',
        );
      }
    const side = container(find(s, 'Deployment', 'streamer'), 'signalserver');
    if (c === defaults.config) expect(side.image).toBe(`pixelstream-signalserver:${KIT_VERSION}`);
  });

  it('Pod Security: every pod in NAMESPACE meets restricted; TURN (host network) lives in its own namespace', () => {
    const workloads = (s.objects as Obj[]).filter((o) => o.spec?.template?.spec !== undefined);
    expect(workloads.length).toBeGreaterThanOrEqual(2);
    for (const w of workloads) {
      const problems = restrictedProblems(w.spec.template.spec);
      if (w.metadata.namespace === c.NAMESPACE) expect(problems, `${w.kind}/${w.metadata.name}`).toEqual([]);
      else expect(problems).toContain('hostNetwork');
    }
    expect(c.TURN_NAMESPACE).not.toBe(c.NAMESPACE);
  });

  it('signalling sidecar: ports, probes on /healthz and /readyz, env from the contract, secrets by reference', () => {
    const d = find(s, 'Deployment', 'streamer');
    const side = container(d, 'signalserver');
    expect(side.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'player' });
    // A slow start on a busy node gets a minute before liveness can kill it.
    expect(side.startupProbe).toMatchObject({ httpGet: side.livenessProbe.httpGet, failureThreshold: 30 });
    expect(side.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'player' });
    expect(side.ports).toEqual([
      { name: 'player', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9000, protocol: 'TCP' },
    ]);
    const env = envOf(side);
    expect(env).toMatchObject({
      PLAYER_PORT: '8080',
      STREAMER_PORT: '8888',
      STREAMER_HOST: '127.0.0.1',
      METRICS_PORT: '9000',
    });
    expect(env.DRAIN_TIMEOUT_SECONDS).toBe(String(c.DRAIN_TIMEOUT_SECONDS));
    expect(env.TURN_SECRET).toEqual({
      secretKeyRef: { name: c.TURN_SECRET_NAME, key: 'secret', optional: false },
    });
    expect(env.POD_NAME).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } });
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } });
    expect(env.NODE_NAME).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } }); // node fill
    expect(env.ROUTER_TOKEN === undefined).toBe(!c.ROUTER_ENABLED);
    // STREAMER_TOKEN_REQUIRED=false (UE 4.27): neither container gets the token, so the sidecar asks for none.
    const token = { secretKeyRef: { name: c.STREAMER_TOKEN_SECRET_NAME, key: 'token', optional: false } };
    expect(env.STREAMER_TOKEN).toEqual(c.STREAMER_TOKEN_REQUIRED ? token : undefined);
    expect(envOf(container(d, 'streamer')).STREAMER_TOKEN).toEqual(
      c.STREAMER_TOKEN_REQUIRED ? token : undefined,
    );
    expect(env.TURN_URLS).toBe(c.TURN_URLS.length > 0 ? c.TURN_URLS.join(',') : undefined);
    // The API token reaches the sidecar only; the GPU application gets none.
    const pod = d.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(side.volumeMounts).toContainEqual({
      name: 'api-token',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    });
    const appVolumes = (container(d, 'streamer').volumeMounts as any[]).map((m) => m.name);
    expect(appVolumes.every((n) => n.startsWith('app-writable-'))).toBe(true);
  });

  it('GPU pool toleration matches the configured taint', () => {
    const tolerations = find(s, 'Deployment', 'streamer').spec.template.spec.tolerations;
    if (c.GPU_POOL_TAINT === 'nvidia.com/gpu:NoSchedule')
      expect(tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    else
      expect(tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
      ]);
  });

  it('headless streamer Service with player and metrics ports', () => {
    const svc = find(s, 'Service', 'streamer');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['player', 8080],
      ['metrics', 9000],
    ]);
    expect(svc.spec.selector[COMPONENT_LABEL]).toBe('streamer');
  });

  it("router Deployment: env the router accepts, a selector that finds the streamer pods, the sidecars' token and port, probes", () => {
    if (!c.ROUTER_ENABLED) {
      expect(s.objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'router')).toBe(false);
      return;
    }
    const d = find(s, 'Deployment', 'router');
    const router = container(d, 'router');
    const env = envOf(router);
    // What the kubelet would inject: the Secret's value, the pod's namespace and (even with service links
    // off) the API server's address, which in-cluster discovery needs.
    const resolved = Object.fromEntries(
      [
        ...Object.entries(env),
        ['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
        ['KUBERNETES_SERVICE_PORT', '443'],
      ].map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : v.secretKeyRef
            ? 'a-router-token-from-the-secret-0123'
            : v.fieldRef.fieldPath === 'metadata.namespace'
              ? c.NAMESPACE
              : undefined,
      ]),
    );
    const config = loadRouterConfig(resolved);
    expect(config).toMatchObject({ discovery: 'kubernetes', podNamespace: c.NAMESPACE });
    expect(config.queueTimeoutMs).toBe(c.QUEUE_TIMEOUT_SECONDS * 1000);
    // Discovery must find exactly the streamer pods: every selector term is a label of their template.
    const streamer = find(s, 'Deployment', 'streamer');
    const podLabels = streamer.spec.template.metadata.labels as Record<string, string>;
    for (const term of config.podSelector.split(',')) {
      const [key, value] = term.split('=');
      expect(podLabels[key ?? ''], term).toBe(value);
    }
    expect(config.podSelector).toContain(`${COMPONENT_LABEL}=streamer`);
    // Reservations and player sockets go to the sidecar's player port, with the token the sidecars hold.
    const side = container(streamer, 'signalserver');
    const playerPort = (side.ports as any[]).find((x) => x.name === 'player').containerPort;
    expect(config.sidecarPlayerPort).toBe(playerPort);
    expect(env.ROUTER_TOKEN).toEqual(envOf(side).ROUTER_TOKEN);
    expect(env.ROUTER_TOKEN).toEqual({
      secretKeyRef: { name: c.ROUTER_TOKEN_SECRET_NAME, key: 'token', optional: false },
    });
    const http = (router.ports as any[]).find((x) => x.name === 'http');
    expect(http.containerPort).toBe(config.port);
    expect(router.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(router.startupProbe).toMatchObject({
      httpGet: router.livenessProbe.httpGet,
      failureThreshold: 30,
    });
    expect(router.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(d.spec.replicas).toBe(c.ROUTER_REPLICAS);
    expect(d.spec.template.spec.serviceAccountName).toBe('router');
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(true);
    // The kubelet's SIGKILL must not cut the graceful stop short: the delay while the ingress drops the pod,
    // the drain of piped players, and a few seconds to close sockets and exit.
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      (config.shutdownDelayMs + config.shutdownDrainMs) / 1000 + 5,
    );
  });

  it('TURN DaemonSet: host network with cluster DNS, TURN pool only, UDP+TCP listener, secret and node name injected', () => {
    const ds = find(s, 'DaemonSet', 'turn');
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const [labelKey, labelValue] = c.TURN_POOL_LABEL.split('=');
    expect(pod.nodeSelector).toEqual({ [labelKey ?? '']: labelValue });
    if (c.TURN_POOL_TAINT !== 'none')
      expect(pod.tolerations).toEqual([
        { key: 'app.pixel/turn', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      ]);
    else expect(pod.tolerations).toEqual([]);
    const coturn = pod.containers[0];
    expect(coturn.ports).toEqual([
      { name: 'turn-udp', containerPort: c.TURN_LISTEN_PORT, hostPort: c.TURN_LISTEN_PORT, protocol: 'UDP' },
      { name: 'turn-tcp', containerPort: c.TURN_LISTEN_PORT, hostPort: c.TURN_LISTEN_PORT, protocol: 'TCP' },
      {
        name: 'metrics',
        containerPort: c.TURN_EXPORTER_PORT,
        hostPort: c.TURN_EXPORTER_PORT,
        protocol: 'TCP',
      },
    ]);
    const env = envOf(coturn);
    expect(env).toMatchObject({
      TURN_MIN_PORT: String(c.TURN_MIN_PORT),
      TURN_MAX_PORT: String(c.TURN_MAX_PORT),
      TURN_LISTEN_PORT: String(c.TURN_LISTEN_PORT),
    });
    // hostNetwork: the exporter binds the node's own IP (the pod IP the PodMonitor scrapes), not 0.0.0.0.
    expect(env.TURN_EXPORTER_PORT).toBe(String(c.TURN_EXPORTER_PORT));
    expect(env.TURN_EXPORTER_HOST).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'status.hostIP' } });
    expect(env.TURN_ALLOWED_PEER_CIDRS).toBe(c.TURN_ALLOWED_PEER_CIDRS.join(','));
    expect(env.NODE_NAME).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } });
    expect(env.TURN_SECRET).toEqual({
      secretKeyRef: { name: c.TURN_SECRET_NAME, key: 'secret', optional: false },
    });
    // The image's turnserver has a file capability: always in the bounding set (or exec fails), and
    // no_new_privs off only where a port below 1024 needs it (turn/low-port.e2e.test.ts).
    expect(coturn.securityContext).toMatchObject({
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      allowPrivilegeEscalation: c.TURN_LISTEN_PORT < 1024,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(coturn.livenessProbe.exec.command).toEqual([...TURN_PROBE_COMMAND]);
    expect(coturn.startupProbe).toMatchObject({ exec: coturn.livenessProbe.exec, failureThreshold: 30 });
    expect(coturn.readinessProbe.exec.command).toEqual([...TURN_PROBE_COMMAND]);
    const podMonitor = find(s, 'PodMonitor', 'turn');
    expect(podMonitor.spec.selector.matchLabels).toEqual(ds.spec.selector.matchLabels);
    expect(podMonitor.spec.podMetricsEndpoints[0].port).toBe('metrics');
  });

  it('RBAC: each ServiceAccount has exactly what its workload calls, in its namespace', () => {
    const rulesOf = (o: Obj) =>
      o.rules?.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));
    const plain = (
      rules: readonly {
        apiGroups: readonly string[];
        resources: readonly string[];
        verbs: readonly string[];
      }[],
    ) =>
      rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
    // The pod patcher's calls: PATCH on its own pod and a list of the pods on its node (asserted in
    // signalserver/pod-patcher.test.ts). Nothing cluster-wide, no watch, no writes beyond patch.
    expect(rulesOf(find(s, 'Role', 'streamer'))).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['patch', 'list'] },
    ]);
    expect(rulesOf(find(s, 'Role', 'streamer'))).toEqual(plain(SIDECAR_RBAC_RULES));
    expect(find(s, 'RoleBinding', 'streamer').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'streamer', namespace: c.NAMESPACE },
    ]);
    const turnRole = find(s, 'ClusterRole', `pixelstream-turn-${c.NAMESPACE}`);
    expect(rulesOf(turnRole)).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    expect(rulesOf(turnRole)).toEqual(plain(TURN_RBAC_RULES));
    expect(s.objects.filter((o) => o.kind === 'ClusterRole')).toHaveLength(1);
    if (c.ROUTER_ENABLED) {
      // The router's informer lists and watches (asserted in router/kubernetes-discovery.e2e.test.ts).
      expect(rulesOf(find(s, 'Role', 'router'))).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      ]);
      expect(rulesOf(find(s, 'Role', 'router'))).toEqual(plain(ROUTER_RBAC_RULES));
    } else expect(s.objects.some((o) => o.metadata.name === 'router')).toBe(false);
    // Tokens are mounted only where the API is used.
    expect(find(s, 'ServiceAccount', 'streamer').automountServiceAccountToken).toBe(false);
    expect(find(s, 'ServiceAccount', 'turn').automountServiceAccountToken).toBe(true);
  });

  it('HPA: Object metric on Service streamer, name imported from the adapter contract, behaviour from config', () => {
    const hpa = find(s, 'HorizontalPodAutoscaler', 'streamer');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'streamer' });
    expect(hpa.spec.minReplicas).toBe(c.HPA_MIN_REPLICAS);
    expect(hpa.spec.maxReplicas).toBe(c.HPA_MAX_REPLICAS);
    const [metric] = hpa.spec.metrics;
    expect(metric.type).toBe('Object');
    expect(metric.object.describedObject).toEqual({ apiVersion: 'v1', kind: 'Service', name: 'streamer' });
    const published = adapterRules(monitoringOptions(c)).custom.map((r) => r.name.as);
    expect(published).toContain(metric.object.metric.name);
    if (c.HPA_METRIC === 'demand') {
      expect(metric.object.metric.name).toBe(ADAPTER.demand);
      expect(metric.object.target).toEqual({ type: 'AverageValue', averageValue: 1 });
    } else {
      expect(metric.object.metric.name).toBe(ADAPTER.poolRatio);
      expect(metric.object.target).toEqual({ type: 'Value', value: '900m' });
    }
    expect(hpa.spec.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: c.HPA_SCALE_UP_STABILIZATION_SECONDS,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_UP_PODS, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
        { type: 'Percent', value: c.HPA_SCALE_UP_PERCENT, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
      ],
    });
    expect(hpa.spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: c.HPA_SCALE_DOWN_STABILIZATION_SECONDS,
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_DOWN_PODS, periodSeconds: c.HPA_SCALE_DOWN_PERIOD_SECONDS },
      ],
    });
  });

  it('Ingress (ENTRY=ingress): class, standard fields only unless the class is nginx, TLS issuer, backend', () => {
    if (c.ENTRY !== 'ingress') {
      expect(s.objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
      return;
    }
    const ing = find(s, 'Ingress', 'pixelstream');
    expect(ing.spec.ingressClassName).toBe(c.INGRESS_CLASS);
    const ann = ing.metadata.annotations ?? {};
    // ingress-nginx annotations only for its own class; the Ingress works on any controller without them.
    const nginx = Object.keys(ann).filter((k) => k.startsWith('nginx.ingress.kubernetes.io/'));
    if (c.INGRESS_CLASS === 'nginx') {
      expect(Number(ann['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
      expect(Number(ann['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    } else expect(nginx).toEqual([]);
    const rule = ing.spec.rules[0];
    expect(rule.host).toBe(c.INGRESS_HOST);
    expect(rule.http.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix' });
    const backend = rule.http.paths[0].backend.service;
    if (c.ROUTER_ENABLED) expect(backend).toEqual({ name: 'router', port: { name: 'http' } });
    else expect(backend).toEqual({ name: 'streamer', port: { name: 'player' } });
    if (c.TLS_ISSUER === 'none') {
      expect(ing.spec.tls).toBeUndefined();
      expect(ann['cert-manager.io/cluster-issuer']).toBeUndefined();
    } else {
      expect(ann['cert-manager.io/cluster-issuer']).toBe(c.TLS_ISSUER);
      expect(ing.spec.tls).toEqual([{ hosts: [c.INGRESS_HOST], secretName: c.TLS_SECRET_NAME }]);
    }
  });

  it('Gateway API (ENTRY=gateway): Gateway with cert-manager TLS or an existing parent, HTTPRoute with long timeouts', () => {
    const routes = s.objects.filter((o) => o.kind === 'HTTPRoute') as Obj[];
    const gateways = s.objects.filter((o) => o.kind === 'Gateway') as Obj[];
    if (c.ENTRY !== 'gateway') {
      expect([...routes, ...gateways]).toEqual([]);
      return;
    }
    const route = find(s, 'HTTPRoute', 'pixelstream');
    expect(route.spec.hostnames).toEqual([c.INGRESS_HOST]);
    const [rule, ...otherRules] = route.spec.rules;
    expect(otherRules).toEqual([]);
    expect(rule.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    // The standard timeouts, long enough for a session's signalling socket (Gateway API duration syntax).
    const timeout = { '86400': '24h', '0': '0s', none: undefined }[c.ENTRY_TIMEOUT_SECONDS];
    expect(rule.timeouts).toEqual(
      timeout === undefined ? undefined : { request: timeout, backendRequest: timeout },
    );
    const backend = c.ROUTER_ENABLED ? { name: 'router', port: 80 } : { name: 'streamer', port: 8080 };
    expect(rule.backendRefs).toEqual([backend]);
    const svc = find(s, 'Service', backend.name);
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(backend.port);
    if (c.GATEWAY_PARENT !== '') {
      // Attached to someone else's Gateway: no Gateway of our own, no redirect route.
      expect(gateways).toEqual([]);
      expect(routes).toHaveLength(1);
      const [ns, name] = c.GATEWAY_PARENT.split('/');
      expect(route.spec.parentRefs).toEqual([
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          namespace: ns,
          name,
          ...(c.GATEWAY_LISTENER === '' ? {} : { sectionName: c.GATEWAY_LISTENER }),
        },
      ]);
      return;
    }
    const gw = find(s, 'Gateway', 'pixelstream');
    expect(gw.spec.gatewayClassName).toBe(c.GATEWAY_CLASS);
    const listeners = gw.spec.listeners as any[];
    const http = listeners.find((l) => l.name === 'http');
    expect(http).toMatchObject({ protocol: 'HTTP', port: 80, hostname: c.INGRESS_HOST });
    if (c.TLS_ISSUER === 'none') {
      expect(listeners).toHaveLength(1);
      expect(gw.metadata.annotations).toBeUndefined();
      expect(route.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'http' }]);
      return;
    }
    // cert-manager's Gateway support: the issuer annotation and an HTTPS listener naming the Secret it fills.
    expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': c.TLS_ISSUER });
    expect(listeners.find((l) => l.name === 'https')).toEqual({
      name: 'https',
      protocol: 'HTTPS',
      port: 443,
      hostname: c.INGRESS_HOST,
      allowedRoutes: { namespaces: { from: 'Same' } },
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: c.TLS_SECRET_NAME }] },
    });
    expect(route.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'https' }]);
    // Plain HTTP only redirects (ACME HTTP-01 challenges get cert-manager's own, more specific route).
    const redirect = find(s, 'HTTPRoute', 'pixelstream-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'http' }]);
    expect(redirect.spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ]);
  });

  it('NetworkPolicy: streamer port never opened, player port only from router/ingress, metrics only from monitoring', () => {
    const np = find(s, 'NetworkPolicy', 'streamer');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const rules = np.spec.ingress as any[];
    const ports = rules.flatMap((r) => r.ports.map((p: any) => p.port)).filter((p) => p !== undefined);
    expect(ports).not.toContain(8888);
    expect(ports).not.toContain('streamer');
    const entryNamespace = c.ENTRY === 'gateway' ? c.GATEWAY_DATAPLANE_NAMESPACE : c.INGRESS_NAMESPACE;
    const entry = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': entryNamespace } } };
    if (c.ROUTER_ENABLED) {
      const routerRules = find(s, 'NetworkPolicy', 'router').spec.ingress as any[];
      expect(routerRules.find((r) => r.ports.some((p: any) => p.port === 'http')).from).toEqual([entry]);
    }
    const player = rules.find((r) => r.ports.some((p: any) => p.port === 'player'));
    expect(player.from).toEqual(
      c.ROUTER_ENABLED
        ? [
            {
              podSelector: {
                matchLabels: { 'app.kubernetes.io/name': 'pixelstream', [COMPONENT_LABEL]: 'router' },
              },
            },
          ]
        : [entry],
    );
    const metrics = rules.find((r) => r.ports.some((p: any) => p.port === 'metrics'));
    expect(metrics.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': c.MONITORING_NAMESPACE } } },
    ]);
    // WebRTC media: UDP on any port (no port = all), the only rule open to every source.
    const media = rules.find((r) => r.ports.some((p: any) => p.protocol === 'UDP'));
    expect(media.ports).toEqual([{ protocol: 'UDP' }]);
    expect(rules).toHaveLength(3);
  });

  it('PDB protects exactly the allocated streamer pods', () => {
    const pdb = find(s, 'PodDisruptionBudget', 'streamer-allocated');
    expect(pdb.spec.maxUnavailable).toBe(0);
    expect(pdb.spec.selector.matchLabels[ALLOCATED_LABEL]).toBe('true');
  });

  it('monitoring: ServiceMonitors on the metrics ports, PrometheusRule and labelled dashboards from support/', () => {
    const sm = find(s, 'ServiceMonitor', 'streamer');
    expect(sm.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '15s', scheme: 'http' },
    ]);
    expect(sm.spec.selector.matchLabels[COMPONENT_LABEL]).toBe('streamer');
    const rule = find(s, 'PrometheusRule', 'pixelstream');
    expect(rule.spec.groups.length).toBeGreaterThan(0);
    expect(JSON.stringify(rule.spec.groups)).toContain(SIDECAR.available);
    const boards = s.objects.filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1',
    ) as Obj[];
    expect(boards.length).toBeGreaterThanOrEqual(2);
    for (const b of boards) {
      for (const json of Object.values(b.data ?? {})) expect(() => JSON.parse(json) as unknown).not.toThrow();
      // The folder the Grafana sidecar files it under, by the annotation support/prometheus.values.yaml names.
      expect(b.metadata.annotations).toEqual({ [GRAFANA_FOLDER_ANNOTATION]: GRAFANA_FOLDER });
    }
    const values = parse(
      readFileSync(join(import.meta.dirname, '..', 'support', 'prometheus.values.yaml'), 'utf8'),
    );
    expect(values.grafana.sidecar.dashboards.folderAnnotation).toBe(GRAFANA_FOLDER_ANNOTATION);
  });

  it('no Secret objects, no secret values in ConfigMaps, no static TURN password anywhere', () => {
    expect(s.objects.filter((o) => o.kind === 'Secret')).toHaveLength(0);
    const configMaps = JSON.stringify(s.objects.filter((o) => o.kind === 'ConfigMap')).toLowerCase();
    for (const word of ['turn_secret', 'password', 'static-auth-secret', 'router_token', 'streamer_token'])
      expect(configMaps, word).not.toContain(word);
    expect(s.text).not.toMatch(/TURN_(USER|PASS|PASSWORD)\b/);
    expect(s.text).not.toMatch(/static-auth-secret|lt-cred-mech|--user[= ]/);
    // Every env var that carries a secret comes from a secretKeyRef.
    for (const o of s.objects as Obj[]) {
      for (const k of o.spec?.template?.spec?.containers ?? [])
        for (const e of k.env ?? [])
          if (/SECRET|TOKEN|PASS/.test(e.name))
            expect(e.valueFrom?.secretKeyRef, `${o.metadata.name}/${e.name}`).toBeDefined();
    }
  });
});

describe('custom .env specifics', () => {
  it('puts images under the registry, except one that names its own, with their tags and pull secrets', () => {
    const images = JSON.stringify(custom.objects).match(/"image":"[^"]+"/g);
    expect(new Set(images)).toEqual(
      new Set([
        '"image":"iad.ocir.io/tenancy/unreal:5.5.1"',
        '"image":"registry.example.com:5000/studio/pixelstream-signalserver:latest"',
        `"image":"registry.example.com:5000/studio/pixelstream-turn:${KIT_VERSION}"`,
        // The balloon's and pre-pull's placeholder: Kubernetes' own pause image, as the kubelet uses.
        `"image":"${PAUSE_IMAGE}"`,
      ]),
    );
    // The GPU app's own pull secret beside the kit's, on the pod that pulls both; the kit's elsewhere.
    expect(find(custom, 'Deployment', 'streamer').spec.template.spec.imagePullSecrets).toEqual([
      { name: 'regcred' },
      { name: 'ocir' },
    ]);
    expect(find(custom, 'DaemonSet', 'turn').spec.template.spec.imagePullSecrets).toEqual([
      { name: 'regcred' },
    ]);
  });
});

const kubectlOk = requirements(['kubectl']);
describe.skipIf(!kubectlOk)('kustomize overlay', () => {
  it.each([
    ['default', defaults],
    ['attached', attached],
    ['custom', custom],
  ])('kubectl kustomize renders the %s overlay with namespaces kept and labels', (_n, s) => {
    const r = spawnSync('kubectl', ['kustomize', s.dir], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as ManifestObject);
    expect(docs).toHaveLength(s.objects.length);
    for (const d of docs) {
      validate(d);
      expect(d.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kustom.sh');
      const synthesized = s.objects.find((o) => o.kind === d.kind && o.metadata.name === d.metadata.name);
      expect(d.metadata.namespace).toBe(synthesized?.metadata.namespace);
    }
    expect(docs.find((d) => d.kind === 'DaemonSet')?.metadata.namespace).toBe(s.config.TURN_NAMESPACE);
    // Labels are added to objects, never to selectors (that would orphan running pods on upgrade).
    const deploy = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'streamer') as Obj;
    expect(deploy.spec.selector.matchLabels['app.kubernetes.io/managed-by']).toBeUndefined();
  });
});

// kustom.sh starts node + tsx and kubectl: seconds on a loaded two-core machine, hence the wider limit.
describe.skipIf(!kubectlOk)('kustom.sh', { timeout: 60_000 }, () => {
  const run = (envFile: string, out: string) =>
    spawnSync('./kustom.sh', [], {
      encoding: 'utf8',
      env: { ...process.env, KIT_ENV_FILE: envFile, KIT_OUT_DIR: out, KUBECONFIG: '/dev/null' },
    });

  it('prints the final manifests for a good .env (stdout carries only YAML)', () => {
    const envFile = join(work, 'good.env');
    writeFileSync(envFile, CUSTOM_ENV);
    const r = run(envFile, join(work, 'kustom-good'));
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as ManifestObject);
    expect(docs.length).toBe(custom.objects.length);
    // The synth summary: exactly one line per kind, with its count, and the total.
    const kinds = new Map<string, number>();
    for (const o of custom.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    for (const [kind, n] of kinds)
      expect(r.stderr.match(new RegExp(`^${kind} +${n}  \\S`, 'gm')), kind).toHaveLength(1);
    expect(r.stderr).toContain(`wrote ${custom.objects.length} objects to `);
    // That .env turns the streamer token off: said on every run, once.
    expect(
      r.stderr.match(/^synth: warning: STREAMER_TOKEN_REQUIRED=false: .*Unreal Engine 4\.27.*$/gm),
    ).toHaveLength(1);
    expect(manifestWarnings(defaults.config)).toEqual([]);
    // TURN in the streamers' namespace would need privileged there: said on every run.
    expect(manifestWarnings(loadKitConfig({ TURN_NAMESPACE: 'pixelstream' }))).toEqual([
      expect.stringMatching(/^TURN_NAMESPACE=pixelstream is NAMESPACE: .*privileged/),
    ]);
    // The Unreal wrapper without its Saved folder writable would fail on the read-only root.
    expect(manifestWarnings(attached.config)).toEqual([
      expect.stringMatching(/^STREAMER_WRITABLE_PATHS=\/tmp: an Unreal app writes .*\/Saved/),
    ]);
    expect(
      manifestWarnings(
        loadKitConfig({
          STREAMER_IMAGE: 'pixelstream-unreal',
          STREAMER_WRITABLE_PATHS: '/tmp,/home/ue/app/Game/Saved,/home/ue/.config',
        }),
      ),
    ).toEqual([]);
  });

  it('fails with exit 2 listing every problem of a broken .env', () => {
    const envFile = join(work, 'broken.env');
    writeFileSync(
      envFile,
      'NAMESPACE=Not_Valid\nGPUS_PER_POD=none\nHPA_MIN_REPLICAS=9\nHPA_MAX_REPLICAS=3\nTURN_POOL_LABEL=oops\nHPA_METRIC=available\nNAMSPACE=typo\n',
    );
    const r = run(envFile, join(work, 'kustom-broken'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    for (const key of [
      'NAMESPACE=',
      'GPUS_PER_POD=',
      'HPA_MIN_REPLICAS=',
      'TURN_POOL_LABEL=',
      'HPA_METRIC=',
      'NAMSPACE:',
    ])
      expect(r.stderr, key).toContain(`- ${key}`);
  });

  it('refuses .env.example as shipped: the one key it says MUST be set is named', () => {
    const r = run(EXAMPLE_ENV, join(work, 'kustom-example'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      '- Deployment/streamer container signalserver would exit at start: TURN_SECRET is set but TURN_URLS is empty (set in .env: TURN_URLS)',
    );
    expect(r.stderr.match(/^ {2}- /gm)).toHaveLength(1);
  });

  it("refuses a .env whose pods would not start, every problem at once: kit rules and each container's own checker", () => {
    const envFile = join(work, 'unstartable.env');
    // A bad namespace (kit rule), no TURN_URLS (the sidecar's checker), a realm coturn refuses (TURN's
    // checker), a reference streamer whose ICE ports... are fine: only what the manifests give it counts.
    writeFileSync(envFile, 'NAMESPACE=Bad_Name\nTURN_REALM=my realm!\nGATEWAY_PARENT=no-slash\n');
    const r = run(envFile, join(work, 'kustom-unstartable'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems).toEqual([
      '  - NAMESPACE="Bad_Name": must be a DNS-1123 label',
      '  - GATEWAY_PARENT="no-slash": must be namespace/name of a Gateway',
      '  - Deployment/streamer container signalserver would exit at start: TURN_SECRET is set but TURN_URLS is empty (set in .env: TURN_URLS)',
      '  - DaemonSet/turn container coturn would exit at start: TURN_REALM="my realm!": must be letters, digits, dots and dashes (set in .env: TURN_REALM)',
    ]);
  });

  it('fails clearly when .env is missing', () => {
    const r = run(join(work, 'absent.env'), join(work, 'kustom-absent'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/absent\.env not found.*\.env\.example/);
  });
});

describe('support/misc/issuer.yaml', () => {
  it("answers HTTP-01 through the default Gateway's plain-HTTP listener, for the default TLS_ISSUER", () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'support', 'misc', 'issuer.yaml'), 'utf8');
    const issuers = text.split(/^---$/m).map((d) => parse(d));
    expect(issuers.map((i) => i.metadata.name)).toContain(defaults.config.TLS_ISSUER);
    const gw = find(defaults, 'Gateway', 'pixelstream');
    for (const issuer of issuers)
      expect(issuer.spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs).toEqual([
        { kind: 'Gateway', name: gw.metadata.name, namespace: gw.metadata.namespace, sectionName: 'http' },
      ]);
  });
});

describe('.env.example', () => {
  it('documents every key and its values are the defaults', () => {
    const env = kitEnv(EXAMPLE_ENV, {});
    const { KIT_CONFIG_KEYS } = { KIT_CONFIG_KEYS: Object.keys(loadKitConfig({})) };
    for (const key of KIT_CONFIG_KEYS) expect(Object.keys(env), key).toContain(key);
    expect(loadKitConfig(env)).toEqual(loadKitConfig({}));
  });

  it('says which keys MUST be set, and setting them gives pods that start', () => {
    const text = readFileSync(EXAMPLE_ENV, 'utf8');
    expect(text).not.toMatch(/every key is optional/i);
    expect(text).toMatch(/^# MUST set before the first deploy[^\n]*\n#\s+TURN_URLS\b/m);
    // As shipped, the sidecars would exit (TURN_SECRET without TURN_URLS); with TURN_URLS every container starts.
    const shipped = synthNoThrow(text);
    expect(shipped).toEqual([
      'Deployment/streamer container signalserver would exit at start: TURN_SECRET is set but TURN_URLS is empty (set in .env: TURN_URLS)',
    ]);
    expect(containerProblems(defaults.objects)).toEqual([]);
  });
});

/** The problems synthesize() refuses `envText` with ([] when it synthesizes). */
function synthNoThrow(envText: string): string[] {
  try {
    synth(`refused-${Math.random().toString(36).slice(2)}`, envText);
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
}

// Warm capacity and the KEDA path: the default .env (balloon, pre-pull, HPA), everything off, and KEDA
// with a pre-warming schedule and two balloons.
const keda = synth(
  'keda',
  `${EXAMPLE_ADDITIONS}AUTOSCALER=keda\nPREWARM_SCHEDULE=17:30-21:00=12,22:00-24:00=4\nBALLOON_PODS=2\nNAMESPACE=games\n`,
);
const bare = synth('bare', `${EXAMPLE_ADDITIONS}BALLOON_PODS=0\nPREPULL_IMAGES=false\n`);

describe('warm capacity objects', () => {
  it('balloons: a negative PriorityClass above the autoscaler cutoff, one streamer pod’s GPU and pool each', () => {
    for (const s of [defaults, keda]) {
      for (const o of s.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
      const pc = find(s, 'PriorityClass', `pixelstream-balloon-${s.config.NAMESPACE}`) as any;
      expect(pc.value).toBeLessThan(0);
      expect(pc.value).toBeGreaterThanOrEqual(-10); // below -10 the cluster autoscaler ignores pending balloons
      expect(pc.preemptionPolicy).toBe('Never');
      expect(pc.globalDefault).toBe(false);
      const b = find(s, 'Deployment', 'pixelstream-balloon');
      expect(b.spec.replicas).toBe(s.config.BALLOON_PODS);
      const pod = b.spec.template.spec;
      const streamer = find(s, 'Deployment', 'streamer').spec.template.spec;
      expect(pod.priorityClassName).toBe(pc.metadata.name);
      expect(pod.nodeSelector).toEqual(streamer.nodeSelector);
      expect(pod.tolerations).toEqual(streamer.tolerations);
      const app = container(find(s, 'Deployment', 'streamer'), 'streamer');
      expect(pod.containers[0].resources.limits).toEqual({
        'nvidia.com/gpu': app.resources.limits['nvidia.com/gpu'],
      });
      expect(pod.containers[0].resources.requests).toEqual(app.resources.requests);
      expect(restrictedProblems(pod)).toEqual([]);
      // The streamer pods keep the default priority (0): they preempt balloons, never the reverse.
      expect(streamer.priorityClassName).toBeUndefined();
    }
  });

  it('pre-pull: a GPU-pool DaemonSet pulling the streamer and sidecar images the pods use', () => {
    const ds = find(defaults, 'DaemonSet', 'pixelstream-prepull');
    const pod = ds.spec.template.spec;
    const streamerPod = find(defaults, 'Deployment', 'streamer');
    expect(pod.nodeSelector).toEqual(streamerPod.spec.template.spec.nodeSelector);
    expect(pod.tolerations).toEqual(streamerPod.spec.template.spec.tolerations);
    expect(pod.initContainers.map((k: any) => k.image)).toEqual([
      container(streamerPod, 'streamer').image,
      container(streamerPod, 'signalserver').image,
    ]);
    for (const k of pod.initContainers) expect(k.command).toEqual(['true']);
    for (const k of [...pod.initContainers, ...pod.containers])
      expect(Object.keys(k.resources.limits ?? {})).toEqual(['memory']); // it holds no GPU
    expect(restrictedProblems(pod)).toEqual([]);
  });

  it('BALLOON_PODS=0 and PREPULL_IMAGES=false render neither', () => {
    const names = bare.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.filter((n) => /balloon|prepull/.test(n))).toEqual([]);
  });

  it('KEDA: a ScaledObject valid against KEDA’s schema, with the adapter’s query, target, bounds, behavior and cron windows', () => {
    const c = keda.config;
    expect(keda.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const so = find(keda, 'ScaledObject', 'streamer');
    expect(() => validate(so)).not.toThrow();
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'streamer' });
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([
      c.HPA_MIN_REPLICAS,
      c.HPA_MAX_REPLICAS,
    ]);
    const [prom, ...crons] = so.spec.triggers;
    expect(prom.type).toBe('prometheus');
    expect(prom.metricType).toBe('AverageValue');
    expect(prom.metadata).toEqual({
      serverAddress: c.KEDA_PROMETHEUS_URL,
      query: serviceMetricQuery(ADAPTER.demand, 'games', monitoringOptions(c)),
      threshold: '1',
    });
    expect(prom.metadata.query).toContain('namespace="games",service="streamer"');
    expect(crons).toEqual([
      {
        type: 'cron',
        metadata: { timezone: 'Etc/UTC', start: '30 17 * * *', end: '0 21 * * *', desiredReplicas: '12' },
      },
      {
        type: 'cron',
        metadata: { timezone: 'Etc/UTC', start: '0 22 * * *', end: '0 0 * * *', desiredReplicas: '4' },
      },
    ]);
    // The HPA KEDA creates behaves as the kit's own HPA would.
    const hpa = find(defaults, 'HorizontalPodAutoscaler', 'streamer');
    expect(so.spec.advanced.horizontalPodAutoscalerConfig).toEqual({
      name: 'streamer',
      behavior: hpa.spec.behavior,
    });
    // The schedule also reaches the HPA path, through the recording rule the demand reads.
    const rules = find(keda, 'PrometheusRule', 'pixelstream').spec.groups.flatMap((g: any) => g.rules);
    const sched = rules.find((r: any) => r.record === 'namespace_service:pixelstream_scheduled_min');
    expect(sched.expr).toContain('>= 1050 < 1260');
  });
});

describe('a processing pool', () => {
  // The reference streamer as a processing pool (each player's camera through a function), recording to
  // a claimed volume; same pool, autoscaling and metrics as a rendering pool.
  const processing = synth(
    'processing',
    `${readFileSync(EXAMPLE_ENV, 'utf8')}${EXAMPLE_ADDITIONS}\nSTREAMER_SOURCE=process:record\nRECORD_CLAIM=recordings\n`,
  );

  it('gives the streamer its source and mounts the recording volume where it writes', () => {
    const d = find(processing, 'Deployment', 'streamer');
    const app = container(d, 'streamer');
    expect(envOf(app)).toMatchObject({ STREAM_SOURCE: 'process:record', RECORD_DIR: '/recordings' });
    expect(app.volumeMounts).toContainEqual({ name: 'recordings', mountPath: '/recordings' });
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: 'recordings',
      persistentVolumeClaim: { claimName: 'recordings' },
    });
    expect(containerProblems(processing.objects)).toEqual([]);
    // The same HPA as any pool, on the same metrics.
    const hpa = (s: Synth) =>
      processing === s ? find(s, 'HorizontalPodAutoscaler', 'streamer').spec : undefined;
    expect(hpa(processing)).toEqual(find(defaults, 'HorizontalPodAutoscaler', 'streamer').spec);
  });

  it('a rendering pool sets neither, and a bad source or claim is refused with the others', () => {
    const app = container(find(defaults, 'Deployment', 'streamer'), 'streamer');
    expect(envOf(app).STREAM_SOURCE).toBeUndefined();
    expect(() =>
      loadKitConfig({ STREAMER_SOURCE: 'webcam', RECORD_CLAIM: 'Bad_Name', RECORD_PATH: 'rel' }),
    ).toThrow(/STREAMER_SOURCE="webcam"[\s\S]*RECORD_CLAIM="Bad_Name"[\s\S]*RECORD_PATH="rel"/);
  });
});
