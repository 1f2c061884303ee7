// The pod runner's decisions, from the rendered manifests to docker arguments, without docker: what it
// refuses, the env a kubelet would build, the user a container runs as, the run flags, probe counters.
import { describe, expect, it } from 'vitest';
import { requirements } from '../support/tools.js';
import {
  containerEnv,
  containerRunArgs,
  expandRefs,
  parseQuantity,
  resourceFlags,
  runAs,
  type PodIdentity,
} from './container-args.js';
import { kubeletMounts } from './pod.js';
import { findWorkload, type Container, type PodTemplate } from './pod-spec.js';
import { SERVICE_ACCOUNT_DIR } from './pod-volumes.js';
import { ProbeState, probePort, probeTiming } from './probes.js';
import { unsupportedFields } from './refusals.js';
import { renderManifests } from './render.js';

const pod: PodIdentity = {
  name: 'streamer-abc123',
  namespace: 'pixelstream',
  uid: 'uid-1',
  podIP: '198.51.100.10',
  hostIP: '198.51.100.1',
  nodeName: 'node-a',
  serviceAccountName: 'streamer',
};

const secrets = { 'turn-secret': { secret: 'turn-secret-value-0123456789' } };

function container(extra: Partial<Container> = {}): Container {
  return { name: 'app', image: 'img:1', ...extra };
}

describe('refusals', () => {
  it('names every field it does not emulate, at once', () => {
    const template = {
      metadata: { labels: { a: 'b' } },
      spec: {
        initContainers: [],
        shareProcessNamespace: true,
        restartPolicy: 'Never',
        dnsPolicy: 'None',
        nodeSelector: { x: 'y' },
        volumes: [
          { name: 'h', hostPath: { path: '/' } },
          { name: 'e', emptyDir: { medium: 'HugePages' } },
        ],
        securityContext: { sysctls: [], seccompProfile: { type: 'Localhost' } },
        containers: [
          {
            name: 'c',
            image: 'i',
            imagePullPolicy: 'Always',
            stdin: true,
            envFrom: [],
            env: [
              { name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } },
              { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
            ],
            ports: [{ containerPort: 80, hostPort: 80 }],
            resources: { limits: { 'nvidia.com/gpu': 1, memory: '1Gi' } },
            securityContext: { privileged: true, procMount: 'Unmasked' },
            startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 },
            readinessProbe: { grpc: { port: 1 } },
            livenessProbe: { httpGet: { port: 1, scheme: 'HTTPS', host: 'x' } },
            lifecycle: { postStart: { exec: { command: ['x'] } }, preStop: { sleep: { seconds: 1 } } },
            volumeMounts: [{ name: 'e', mountPath: '/x', subPath: 'y' }],
          },
        ],
      },
    } as unknown as PodTemplate;
    expect(unsupportedFields(template)).toEqual([
      'spec.initContainers',
      'spec.shareProcessNamespace',
      'spec.restartPolicy="Never"',
      'spec.dnsPolicy=None',
      'spec.securityContext.sysctls',
      'spec.securityContext.seccompProfile.type=Localhost',
      'spec.volumes[0].hostPath',
      'spec.volumes[1].emptyDir.medium=HugePages',
      'spec.containers[0].stdin',
      'spec.containers[0].envFrom',
      'spec.containers[0].imagePullPolicy=Always (no registry here: only local images can run)',
      'spec.containers[0].env[0].valueFrom.configMapKeyRef',
      'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath=metadata.labels',
      'spec.containers[0].ports[0].hostPort (only as the hostNetwork port itself)',
      'spec.containers[0].resources.limits.nvidia.com/gpu',
      'spec.containers[0].securityContext.procMount',
      'spec.containers[0].securityContext.privileged=true',
      'spec.containers[0].startupProbe.terminationGracePeriodSeconds',
      'spec.containers[0].readinessProbe.grpc',
      'spec.containers[0].readinessProbe (needs exactly one of exec, httpGet, tcpSocket)',
      'spec.containers[0].livenessProbe.httpGet.host',
      'spec.containers[0].livenessProbe.httpGet.scheme="HTTPS"',
      'spec.containers[0].lifecycle.postStart',
      'spec.containers[0].lifecycle.preStop.sleep',
      'spec.containers[0].lifecycle.preStop (needs exactly one of exec, httpGet)',
      'spec.containers[0].volumeMounts[0].subPath',
    ]);
  });

  it('runs an extended resource only when the caller waives it by name', () => {
    const t = {
      spec: { containers: [container({ resources: { limits: { 'nvidia.com/gpu': 1, cpu: '1' } } })] },
    };
    expect(unsupportedFields(t)).toEqual(['spec.containers[0].resources.limits.nvidia.com/gpu']);
    expect(unsupportedFields(t, ['nvidia.com/gpu'])).toEqual([]);
  });
});

describe('env', () => {
  it('fills secretKeyRef from the test Secrets, fieldRef from the pod, and expands $(VAR) in order', () => {
    const env = containerEnv(
      container({
        env: [
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 'turn-secret', key: 'secret' } } },
          { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'URL', value: 'http://$(IP):8080/$(LATER)/$$(IP)' },
          { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
          { name: 'LATER', value: 'x' },
        ],
      }),
      pod,
      secrets,
      [['KUBERNETES_SERVICE_HOST', '198.51.100.1']],
    );
    expect([...env]).toEqual([
      ['KUBERNETES_SERVICE_HOST', '198.51.100.1'],
      ['SECRET', 'turn-secret-value-0123456789'],
      ['NAME', 'streamer-abc123'],
      ['IP', '198.51.100.10'],
      ['URL', 'http://198.51.100.10:8080/$(LATER)/$(IP)'],
      ['LATER', 'x'],
    ]);
  });

  it('refuses a container whose required secret key is missing, naming it', () => {
    const c = container({
      env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'turn-secret', key: 'nope' } } }],
    });
    expect(() => containerEnv(c, pod, secrets)).toThrow(/secret "turn-secret" key "nope" not found/);
  });

  it('expands references as Kubernetes does', () => {
    const vars = new Map([['A', '1']]);
    expect(expandRefs('$(A)-$(B)-$$(A)-$A', vars)).toBe('1-$(B)-$(A)-$A');
  });
});

describe('user', () => {
  it('uses runAsUser/runAsGroup, adds fsGroup and supplementary groups', () => {
    const r = runAs(
      { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, supplementalGroups: [3] },
      container(),
      '65532:65532',
    );
    expect(r).toEqual({ user: '1000:1000', uid: 1000, groups: [3, 2000] });
  });

  it("keeps the image's user when the pod names none; the container's context wins over the pod's", () => {
    expect(runAs({ runAsNonRoot: true }, container(), '65532:65532')).toEqual({
      user: undefined,
      uid: 65532,
      groups: [],
    });
    const c = container({ securityContext: { runAsUser: 10001 } });
    expect(runAs({ runAsUser: 1000, runAsGroup: 1000 }, c, '')).toMatchObject({
      user: '10001:1000',
      uid: 10001,
    });
    expect(runAs({ runAsGroup: 5 }, container(), '65532:65532').user).toBe('65532:5');
  });

  it("refuses root and unverifiable users under runAsNonRoot, with the kubelet's words", () => {
    expect(() => runAs({ runAsNonRoot: true }, container(), '')).toThrow(
      /runAsNonRoot and image will run as root/,
    );
    expect(() => runAs({ runAsNonRoot: true }, container(), 'streamer')).toThrow(
      /non-numeric user \(streamer\), cannot verify user is non-root/,
    );
    expect(() => runAs({ runAsNonRoot: true, runAsUser: 0 }, container(), '65532')).toThrow(
      /will run as root/,
    );
  });
});

describe('docker run arguments', () => {
  it('joins the sandbox network, applies the security context, resources, mounts, env and command', () => {
    const c = container({
      command: ['/bin/sh', '-c'],
      args: ['echo $(NAME)'],
      workingDir: '/w',
      resources: { limits: { memory: '512Mi', cpu: '500m' }, requests: { cpu: '100m' } },
      securityContext: {
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      },
      volumeMounts: [
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'token', mountPath: '/var/token', readOnly: true },
      ],
    });
    const args = containerRunArgs({
      spec: { containers: [c], securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
      container: c,
      env: new Map([['NAME', 'pod-a']]),
      runAs: { user: '1000:1000', uid: 1000, groups: [1000] },
      volumes: { tmp: { type: 'volume', src: 'pod-a-tmp' }, token: { type: 'bind', src: '/h/token' } },
      dockerName: 'pod-a-app',
      sandbox: 'pod-a-sandbox',
      labels: { 'pixelstream.test/pod': 'pod-a' },
    });
    expect(args).toEqual([
      'run', '--detach', '--name', 'pod-a-app', '--network', 'container:pod-a-sandbox',
      '--label', 'pixelstream.test/pod=pod-a',
      '--user', '1000:1000', '--group-add', '1000',
      '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE',
      '--security-opt', 'no-new-privileges:true', '--read-only',
      '--memory', '536870912', '--cpus', '0.5', '--cpu-shares', '102',
      '--mount', 'type=volume,src=pod-a-tmp,dst=/tmp,volume-nocopy',
      '--mount', 'type=bind,src=/h/token,dst=/var/token,readonly',
      '--env', 'NAME=pod-a',
      '--workdir', '/w',
      '--entrypoint', '/bin/sh', 'img:1', '-c', 'echo pod-a',
    ]); // prettier-ignore
  });

  it('keeps the image entrypoint when only args are given, and runs unconfined without a seccomp profile', () => {
    const c = container({ args: ['--flag'] });
    const args = containerRunArgs({
      spec: { containers: [c] },
      container: c,
      env: new Map(),
      runAs: { user: undefined, uid: 65532, groups: [] },
      volumes: {},
      dockerName: 'n',
      sandbox: 's',
      labels: {},
    });
    expect(args).toContain('seccomp=unconfined');
    expect(args).not.toContain('--entrypoint');
    expect(args.slice(-2)).toEqual(['img:1', '--flag']);
  });

  it('converts quantities as Kubernetes reads them', () => {
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity(2)).toBe(2);
    expect(() => parseQuantity('lots')).toThrow(/quantity lots/);
    expect(resourceFlags(container({ resources: { requests: { cpu: '1m' } } }))).toEqual([
      '--cpu-shares',
      '2',
    ]);
  });

  it("adds the kubelet's service-account mount unless the container mounts that path itself", () => {
    expect(kubeletMounts(container(), true).volumeMounts).toEqual([
      { name: 'kube-api-access', mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
    ]);
    const own = container({ volumeMounts: [{ name: 'api-token', mountPath: SERVICE_ACCOUNT_DIR }] });
    expect(kubeletMounts(own, true)).toBe(own);
    expect(kubeletMounts(container(), false).volumeMounts).toBeUndefined();
  });
});

describe('probes', () => {
  it("fills the kubelet's defaults and resolves named ports", () => {
    expect(probeTiming({ httpGet: { port: 1 } })).toEqual({
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
    const c = container({ ports: [{ containerPort: 8080, name: 'player' }] });
    expect(probePort('player', c)).toBe(8080);
    expect(probePort(9000, c)).toBe(9000);
    expect(() => probePort('metrics', c)).toThrow(/no port named metrics/);
  });

  it('changes state only after the thresholds of consecutive results', () => {
    const readiness = new ProbeState(2, 2, false);
    expect([true, false, true, true, false, true, false, false].map((ok) => readiness.record(ok))).toEqual([
      false, false, false, true, false, false, false, true,
    ]); // prettier-ignore
    expect(readiness.passing).toBe(false);
  });
});

const withKubectl = requirements(['kubectl']);

describe.skipIf(!withKubectl)('the rendered manifests', () => {
  it('run as they are: the runner honours every field of the three pod templates (the GPU waived)', () => {
    const objects = renderManifests({ TURN_URLS: 'turn:198.51.100.3:3478?transport=udp' });
    for (const [kind, name] of [
      ['Deployment', 'streamer'],
      ['Deployment', 'router'],
      ['DaemonSet', 'turn'],
    ] as const) {
      expect(unsupportedFields(findWorkload(objects, kind, name).spec.template, ['nvidia.com/gpu'])).toEqual(
        [],
      );
    }
    expect(() => findWorkload(objects, 'Deployment', 'nope')).toThrow(/workloads: .*Deployment\/streamer/);
  });
});
