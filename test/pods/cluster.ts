// A one-node "cluster" for the pod tests: the manifests rendered from .env.example (plus the test's TURN
// URL), the test's Secrets, the thin fake API server, and pods run from the rendered templates. Locally a
// missing docker, kubectl or image skips the suite with the reason; under CI=true it fails naming it.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runAs } from '../pod-runner/container-args.js';
import { dockerAvailable, dockerOk, missingImages } from '../pod-runner/docker.js';
import { FakeApiServer } from '../pod-runner/fake-api-server.js';
import { RESERVED_IPS } from '../pod-runner/pod-network.js';
import { findWorkload, type SecretSet, type Workload } from '../pod-runner/pod-spec.js';
import { runPod, type RunPodOptions, type RunningPod } from '../pod-runner/pod.js';
import { portForward, type PortForward } from '../pod-runner/port-forward.js';
import { renderManifests } from '../pod-runner/render.js';
import { hasTool, inCI, inNetns, requirements } from '../support/tools.js';

/** The TURN pod's node address, known before it starts so the sidecars' TURN_URLS can name it. */
export const TURN_NODE_IP = RESERVED_IPS[0]!;

/** The values .env.example tells an operator to set, and nothing else. */
export const OPERATOR_SETTINGS = {
  TURN_URLS: `turn:${TURN_NODE_IP}:3478?transport=udp,turn:${TURN_NODE_IP}:3478?transport=tcp`,
};

/** The Secrets k8s/README.md has the operator create (names as .env.example gives them). */
export const TEST_SECRETS: SecretSet = {
  'turn-secret': { secret: 'pod-test-turn-secret-0123456789abcdef' },
  'streamer-token': { token: 'pod-test-streamer-token-0123456789' },
  'router-token': { token: 'pod-test-router-token-0123456789ab' },
};

/** The GPU this machine lacks: the streamer runs on its CPU encoders instead (the image's fallback). */
export const WAIVED = ['nvidia.com/gpu'];

/** Workloads the pod tests run. */
export const WORKLOADS = [
  ['Deployment', 'streamer'],
  ['Deployment', 'router'],
  ['DaemonSet', 'turn'],
] as const;

function images(
  objects: Array<Record<string, unknown>>,
  workloads: ReadonlyArray<readonly [string, string]>,
): string[] {
  return [
    ...new Set(
      workloads.flatMap(([kind, name]) =>
        findWorkload(objects, kind, name).spec.template.spec.containers.map((c) => c.image),
      ),
    ),
  ];
}

/**
 * Renders the manifests (with `settings` beside the operator's) and says whether the pod tests can run:
 * docker, kubectl, the test network namespace and every image the `workloads` name. Missing images in CI
 * are an error that says how to build.
 */
export function podTestsRunnable(
  settings: Record<string, string> = {},
  workloads: ReadonlyArray<readonly [string, string]> = WORKLOADS,
): { ok: boolean; objects: Array<Record<string, unknown>> } {
  if (!requirements(['docker', 'kubectl', 'ip', 'nsenter', 'busybox'], { netns: true }))
    return { ok: false, objects: [] };
  if (!dockerAvailable()) {
    if (inCI) throw new Error('missing in CI: a Docker daemon (docker info fails) — .ci/run starts dockerd');
    console.warn('skipping: no Docker daemon answers');
    return { ok: false, objects: [] };
  }
  const objects = renderManifests({ ...OPERATOR_SETTINGS, ...settings });
  const missing = missingImages(images(objects, workloads));
  if (missing.length > 0) {
    const why = `images not built: ${missing.join(', ')} — run scripts/build-images.sh (LOCAL_BASES=1 without a registry)`;
    if (inCI) throw new Error(`missing in CI: ${why}`);
    console.warn(`skipping: ${why}`);
    return { ok: false, objects: [] };
  }
  return { ok: hasTool('docker') && inNetns, objects };
}

export class TestCluster {
  readonly pods: RunningPod[] = [];
  private readonly forwards: PortForward[] = [];

  private constructor(
    readonly objects: Array<Record<string, unknown>>,
    readonly api: FakeApiServer,
  ) {}

  static async start(objects: Array<Record<string, unknown>>): Promise<TestCluster> {
    return new TestCluster(objects, await FakeApiServer.start());
  }

  workload(kind: string, name: string): Workload {
    return findWorkload(this.objects, kind, name);
  }

  /** Runs one pod of `kind/name` and serves it through the fake API. */
  async run(kind: string, name: string, opts: Partial<RunPodOptions> = {}): Promise<RunningPod> {
    const pod = await runPod({
      workload: this.workload(kind, name),
      secrets: TEST_SECRETS,
      cluster: this.api.access,
      waivedResources: WAIVED,
      ...opts,
    });
    this.pods.push(pod);
    this.api.add(pod);
    return pod;
  }

  /** Deletes `pod` gracefully (preStop, signal, grace) and drops it from the API. */
  async delete(pod: RunningPod) {
    const report = await pod.stop();
    this.api.remove(pod);
    return report;
  }

  /** A loopback port-forward to the pod (a trustworthy page origin, see port-forward.ts), closed with the cluster. */
  async forward(pod: RunningPod, port: number): Promise<number> {
    const f = await portForward(pod.ip, port);
    this.forwards.push(f);
    return f.port;
  }

  /** Teardown: port-forwards closed, every pod still there removed at once, then the API server. */
  async close(): Promise<void> {
    await Promise.all(this.forwards.map((f) => f.close()));
    await Promise.all(this.pods.map((p) => p.cleanup().catch(() => undefined)));
    await this.api.close();
  }
}

/** uid and gid of a process, from /proc on this machine. */
function ids(pid: number): { uid: number; gid: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { uid: field('Uid'), gid: field('Gid') };
}

/**
 * Every container's main process runs as the uid (and gid) its manifest gives it — read from the process
 * itself, not from docker's config — and where the manifest says readOnlyRootFilesystem, writing to / fails
 * while its emptyDir mounts take writes.
 */
export async function expectManifestUsersAndReadOnlyRoot(pod: RunningPod): Promise<void> {
  const spec = pod.workload.spec.template.spec;
  for (const c of spec.containers) {
    const run = pod.containers.get(c.name)!;
    const pid = Number((await dockerOk(['inspect', '--format', '{{.State.Pid}}', run.dockerName])).trim());
    const imageUser = (await dockerOk(['image', 'inspect', '--format', '{{.Config.User}}', c.image])).trim();
    const sc = { ...spec.securityContext, ...c.securityContext };
    expect(sc.runAsUser, `${c.name}: the manifest names its user`).toBeDefined();
    expect(ids(pid).uid, c.name).toBe(sc.runAsUser);
    expect(runAs(spec.securityContext, c, imageUser).uid, c.name).toBe(sc.runAsUser);
    if (sc.runAsGroup !== undefined) expect(ids(pid).gid, c.name).toBe(sc.runAsGroup);
    expect(c.securityContext?.readOnlyRootFilesystem, `${c.name}: read-only root`).toBe(true);
    // Written by the container's own user with node (every image here has it; not all have a shell).
    const write = (file: string) =>
      pod.exec(c.name, ['node', '-e', 'require("fs").writeFileSync(process.argv[1], "x")', file]);
    const root = await write('/root-write-check');
    expect(root.code, c.name).not.toBe(0);
    expect(root.stderr, c.name).toMatch(/EROFS|read-only file system/i);
    for (const m of c.volumeMounts ?? []) {
      if (!spec.volumes?.find((v) => v.name === m.name)?.emptyDir) continue;
      const tmp = await write(`${m.mountPath}/write-check`);
      expect(tmp.code, `${c.name} ${m.mountPath}: ${tmp.stderr}`).toBe(0);
    }
  }
}
