// The streamer pool as synthesized from each test .env (k8s/testing/manifests.ts): the GPU app's limits,
// placement, drain and users; the sidecar's ports, probes, env and token; the headless Service and the PDB
// of allocated pods; a processing pool's source and recording volume.
import { describe, expect, it } from 'vitest';
import { loadKitConfig } from '../common/kit-config.js';
import { ALLOCATED_LABEL, COMPONENT_LABEL } from '../common/pod-marks.js';
import { DRAINED_PATH } from '../signalserver/drain-wait.js';
import { containerProblems } from './container-checks.js';
import { TERMINATION_MARGIN_SECONDS } from './streamer-pool.js';
import { VARIANT_ENVS, container, envOf, find, podSpec, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-streamer-pool-');
const synth = v.synth;

describe.each(v.rows)('streamer pool (%s)', (label, s) => {
  const c = s.config;

  it('streamer pods: GPU limit is a real quantity, GPU pool only, drain-safe, HPA-owned', () => {
    const d = find(s, 'Deployment', 'streamer');
    expect(d.spec?.replicas).toBeUndefined();
    const pod = podSpec(d);
    const app = container(d, 'streamer');
    const gpu: unknown = app.resources?.limits?.['nvidia.com/gpu'];
    expect(gpu).not.toBeNull();
    expect(String(gpu)).toBe(String(c.GPUS_PER_POD));
    expect(s.text).toMatch(new RegExp(`nvidia\\.com/gpu: "?${c.GPUS_PER_POD}"?\\n`));
    const [labelKey, labelValue] = c.GPU_POOL_LABEL.split('=');
    expect(pod.nodeSelector).toEqual({ [labelKey ?? '']: labelValue });
    expect(pod.terminationGracePeriodSeconds).toBe(c.DRAIN_TIMEOUT_SECONDS + TERMINATION_MARGIN_SECONDS);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(c.DRAIN_TIMEOUT_SECONDS);
    // The app's preStop needs no tool in its image: an HTTP GET the sidecar holds until the drain leaves no
    // session. By port number (a name would be looked up among the app container's own ports, which has none).
    expect(app.lifecycle?.preStop).toEqual({ httpGet: { path: DRAINED_PATH, port: 9000 } });
    const side = container(d, 'signalserver');
    expect(side.ports).toContainEqual({ name: 'metrics', containerPort: 9000, protocol: 'TCP' });
    expect(envOf(side).METRICS_PORT).toBe('9000');
    // The sidecar has no hook: SIGTERM starts its drain at once.
    expect(side.lifecycle).toBeUndefined();
    const podLabels = d.spec?.template.metadata?.labels ?? {};
    expect(podLabels[ALLOCATED_LABEL]).toBe('false');
    expect(podLabels[COMPONENT_LABEL]).toBe('streamer');
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      fsGroup: 65532, // the sidecar's group: its projected API token is group-readable
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // Each container runs as its image's user, never root, on a read-only root file system.
    const appUser =
      label === 'custom .env' ? 1000 : c.STREAMER_IMAGE === 'pixelstream-unreal' ? 10001 : 65532;
    expect(app.securityContext).toMatchObject({ runAsUser: appUser, runAsGroup: appUser });
    expect(side.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
    const anyId: unknown = expect.any(Number);
    for (const k of pod.containers)
      expect(k.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: anyId,
        runAsGroup: anyId,
        capabilities: { drop: ['ALL'] },
      });
    // …writing only to an emptyDir per STREAMER_WRITABLE_PATHS entry.
    expect(app.volumeMounts).toEqual(
      c.STREAMER_WRITABLE_PATHS.map((path, i) => ({ name: `app-writable-${i}`, mountPath: path })),
    );
    for (const m of app.volumeMounts ?? [])
      expect(pod.volumes?.find((v) => v.name === m.name)).toEqual({ name: m.name, emptyDir: {} });
    // The app requests CPU and memory (scheduling on the GPU node reserves them).
    expect(app.resources?.requests).toEqual({
      cpu: c.STREAMER_CPU_REQUEST,
      memory: c.STREAMER_MEMORY_REQUEST,
    });
    expect(app.resources?.limits?.memory).toBe(
      c.STREAMER_MEMORY_LIMIT === 'none' ? undefined : c.STREAMER_MEMORY_LIMIT,
    );
    const secrets = [c.IMAGE_PULL_SECRET, c.STREAMER_PULL_SECRET].filter((x) => x !== '');
    expect(pod.imagePullSecrets).toEqual(
      secrets.length === 0 ? undefined : secrets.map((name) => ({ name })),
    );
  });

  it('signalling sidecar: ports, probes on /healthz and /readyz, env from the contract, secrets by reference', () => {
    const d = find(s, 'Deployment', 'streamer');
    const side = container(d, 'signalserver');
    expect(side.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'player' });
    // A slow start on a busy node gets a minute before liveness can kill it.
    expect(side.startupProbe).toMatchObject({ httpGet: side.livenessProbe?.httpGet, failureThreshold: 30 });
    expect(side.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'player' });
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
    const pod = podSpec(d);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(side.volumeMounts).toContainEqual({
      name: 'api-token',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    });
    const appVolumes = (container(d, 'streamer').volumeMounts ?? []).map((m) => m.name);
    expect(appVolumes.every((n) => n.startsWith('app-writable-'))).toBe(true);
  });

  it('GPU pool toleration matches the configured taint', () => {
    const tolerations = podSpec(find(s, 'Deployment', 'streamer')).tolerations;
    if (c.GPU_POOL_TAINT === 'nvidia.com/gpu:NoSchedule')
      expect(tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    else
      expect(tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
      ]);
  });

  it('headless streamer Service with player and metrics ports', () => {
    const svc = find(s, 'Service', 'streamer');
    expect(svc.spec?.clusterIP).toBe('None');
    expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([
      ['player', 8080],
      ['metrics', 9000],
    ]);
    expect(svc.spec?.selector?.[COMPONENT_LABEL]).toBe('streamer');
  });

  it('PDB protects exactly the allocated streamer pods', () => {
    const pdb = find(s, 'PodDisruptionBudget', 'streamer-allocated');
    expect(pdb.spec?.maxUnavailable).toBe(0);
    expect(pdb.spec?.selector?.matchLabels?.[ALLOCATED_LABEL]).toBe('true');
  });
});

describe('a processing pool', () => {
  const defaults = v.of('.env.example');
  // The reference streamer as a processing pool (each player's camera through a function), recording to
  // a claimed volume; same pool, autoscaling and metrics as a rendering pool.
  const processing = synth(
    'processing',
    `${VARIANT_ENVS['.env.example']()}\nSTREAMER_SOURCE=process:record\nRECORD_CLAIM=recordings\n`,
  );

  it('gives the streamer its source and mounts the recording volume where it writes', () => {
    const d = find(processing, 'Deployment', 'streamer');
    const app = container(d, 'streamer');
    expect(envOf(app)).toMatchObject({ STREAM_SOURCE: 'process:record', RECORD_DIR: '/recordings' });
    expect(app.volumeMounts).toContainEqual({ name: 'recordings', mountPath: '/recordings' });
    expect(podSpec(d).volumes).toContainEqual({
      name: 'recordings',
      persistentVolumeClaim: { claimName: 'recordings' },
    });
    expect(containerProblems(processing.objects)).toEqual([]);
    // The same HPA as any pool, on the same metrics.
    const hpa = (s: typeof processing) =>
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
