// The kit's .env rules: defaults, every problem at once, table tests of allowed peer ranges against the
// Service CIDR and the always-refused ranges, relay/listen/exporter ports, labels, taints and CIDRs, and
// reading, merging and rewriting .env in place.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { block, refusalLines } from '../test/support/config-refusal.js';
import { configItems } from './env-config.js';
import {
  KIT_VERSION,
  imageRef,
  pullPolicy,
  pullSecretFor,
  runAsFor,
  isCidr,
  kitEnv,
  loadKitConfig,
  parseNodeLabel,
  parseNodeTaint,
  readDotEnv,
  writeDotEnvValues,
} from './kit-config.js';

const dir = mkdtempSync(join(tmpdir(), 'kit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Refused = [string, Record<string, string>, string];

describe('loadKitConfig', () => {
  it('has working defaults for every key', () => {
    expect(loadKitConfig({})).toMatchObject({
      NAMESPACE: 'pixelstream',
      GPU_POOL_LABEL: 'app.pixel/gpu=true',
      TURN_POOL_LABEL: 'app.pixel/turn=true',
      INGRESS_CLASS: 'nginx',
      HPA_METRIC: 'demand',
      HPA_TARGET: 1,
      HPA_MIN_REPLICAS: 1,
      HPA_MAX_REPLICAS: 20,
      STREAM_BUFFER: 1,
      HPA_SCALE_UP_STABILIZATION_SECONDS: 0,
      HPA_SCALE_UP_PODS: 4,
      HPA_SCALE_UP_PERCENT: 100,
      HPA_SCALE_UP_PERIOD_SECONDS: 15,
      HPA_SCALE_DOWN_STABILIZATION_SECONDS: 300,
      HPA_SCALE_DOWN_PODS: 1,
      HPA_SCALE_DOWN_PERIOD_SECONDS: 60,
      GPUS_PER_POD: 1,
      DRAIN_TIMEOUT_SECONDS: 3600,
      ROUTER_ENABLED: true,
      STREAMER_TOKEN_REQUIRED: true,
      TURN_EXPORTER_PORT: 9642,
      AUTOSCALER: 'hpa',
      STREAM_BUFFER_MODE: 'adaptive',
      STREAM_BUFFER_MIN: 1,
      STREAM_BUFFER_MAX: 3,
      BALLOON_PODS: 1,
      PREPULL_IMAGES: true,
      PREWARM_SCHEDULE: [],
    });
  });

  it('defaults HPA_TARGET per metric and honours an explicit one', () => {
    expect(loadKitConfig({ HPA_METRIC: 'ratio' }).HPA_TARGET).toBe(0.9);
    expect(loadKitConfig({ HPA_METRIC: 'ratio', HPA_TARGET: '0.75' }).HPA_TARGET).toBe(0.75);
    expect(loadKitConfig({ HPA_METRIC: 'demand', HPA_TARGET: '' }).HPA_TARGET).toBe(1);
  });

  it.each([
    ['10.244.0.0/16,fd00:42::/56', '10.96.0.0/12'],
    ['10.42.0.0/16', '10.43.0.0/16'],
    ['100.64.0.0/16', 'fd00:96::/112'],
  ])('accepts pod CIDRs %s beside Service CIDR %s', (allowed, service) => {
    expect(
      loadKitConfig({ TURN_ALLOWED_PEER_CIDRS: allowed, TURN_SERVICE_CIDR: service }).TURN_ALLOWED_PEER_CIDRS,
    ).toEqual(allowed.split(','));
  });

  it.each([
    [{ TURN_MIN_PORT: '1024', TURN_MAX_PORT: '1024', TURN_LISTEN_PORT: '443', TURN_EXPORTER_PORT: '9642' }],
    [{ TURN_MIN_PORT: '40000', TURN_MAX_PORT: '40999', TURN_EXPORTER_PORT: '41000' }],
  ])('accepts TURN ports %j', (env) => {
    expect(() => loadKitConfig(env)).not.toThrow();
  });

  it('builds image references with and without a registry; tags default to the kit version', () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(KIT_VERSION).toBe(version);
    expect(imageRef(loadKitConfig({}), 'SIDECAR')).toBe(`pixelstream-signalserver:${version}`);
    expect(imageRef(loadKitConfig({ IMAGE_REGISTRY: 'ghcr.io/acme', TURN_TAG: 'v1.2' }), 'TURN')).toBe(
      'ghcr.io/acme/pixelstream-turn:v1.2',
    );
  });

  it.each([
    // A name that starts with a registry host is left alone: no ghcr.io/acme/iad.ocir.io/…
    [{ STREAMER_IMAGE: 'iad.ocir.io/tenancy/unreal' }, 'iad.ocir.io/tenancy/unreal:5'],
    [{ STREAMER_IMAGE: 'registry.local:5000/unreal' }, 'registry.local:5000/unreal:5'],
    [{ STREAMER_IMAGE: 'localhost/unreal' }, 'localhost/unreal:5'],
    // A path without a registry host gets IMAGE_REGISTRY, or the GPU app's own registry.
    [{ STREAMER_IMAGE: 'studio/unreal' }, 'ghcr.io/acme/studio/unreal:5'],
    [
      { STREAMER_IMAGE: 'unreal', STREAMER_IMAGE_REGISTRY: 'iad.ocir.io/tenancy' },
      'iad.ocir.io/tenancy/unreal:5',
    ],
  ])('GPU app image %j → %s', (env, ref) => {
    const c = loadKitConfig({ IMAGE_REGISTRY: 'ghcr.io/acme', STREAMER_TAG: '5', ...env });
    expect(imageRef(c, 'STREAMER')).toBe(ref);
    expect(imageRef(c, 'SIDECAR')).toBe(`ghcr.io/acme/pixelstream-signalserver:${KIT_VERSION}`);
  });

  it('pull policy: Always for latest, IfNotPresent otherwise, or as set; pull secret and user per image', () => {
    const c = loadKitConfig({ SIDECAR_TAG: 'latest', IMAGE_PULL_SECRET: 'kit', STREAMER_PULL_SECRET: 'app' });
    expect(pullPolicy(c, 'SIDECAR')).toBe('Always');
    expect(pullPolicy(c, 'ROUTER')).toBe('IfNotPresent');
    expect(pullPolicy(loadKitConfig({ IMAGE_PULL_POLICY: 'Never' }), 'SIDECAR')).toBe('Never');
    expect([pullSecretFor(c, 'STREAMER'), pullSecretFor(c, 'TURN')]).toEqual(['app', 'kit']);
    expect(runAsFor(c, 'SIDECAR')).toEqual({ uid: 65532, gid: 65532 });
    expect(runAsFor(c, 'STREAMER')).toEqual({ uid: 65532, gid: 65532 });
    expect(runAsFor(loadKitConfig({ STREAMER_IMAGE: 'ghcr.io/a/pixelstream-unreal' }), 'STREAMER')).toEqual({
      uid: 10001,
      gid: 10001,
    });
    expect(runAsFor(loadKitConfig({ STREAMER_RUN_AS: '1000' }), 'STREAMER')).toEqual({
      uid: 1000,
      gid: 1000,
    });
  });
});

describe('loadKitConfig refusals', () => {
  it('keeps a bad key and a cross-key violation as items', () => {
    expect(
      configItems(() => loadKitConfig({ GPUS_PER_POD: 'two', HPA_MIN_REPLICAS: '5', HPA_MAX_REPLICAS: '2' })),
    ).toEqual([
      { key: 'GPUS_PER_POD', value: 'two', rule: 'must be an integer between 1 and 16' },
      { key: 'HPA_MIN_REPLICAS', value: '5', rule: 'must be ≤ HPA_MAX_REPLICAS=2' },
    ]);
    // The .env writer refuses with items too.
    expect(configItems(() => writeDotEnvValues(join(dir, 'bad.env'), { 'BAD KEY': 1 }))).toEqual([
      { key: 'BAD KEY', value: '1', rule: 'is not a .env key' },
    ]);
  });

  it.each<Refused>([
    [
      'the warm-capacity settings together',
      {
        AUTOSCALER: 'vpa',
        STREAM_BUFFER_MODE: 'magic',
        STREAM_BUFFER_MIN: '5',
        STREAM_BUFFER_MAX: '2',
        PREWARM_SCHEDULE: '18:00-22:00=8,22:00-02:00=4,7pm=3',
      },
      `
        AUTOSCALER="vpa": must be one of hpa, keda
        STREAM_BUFFER_MODE="magic": must be one of fixed, adaptive
        PREWARM_SCHEDULE="18:00-22:00=8,22:00-02:00=4,7pm=3": "22:00-02:00=4": the end must come after the start (split a window at midnight)
        PREWARM_SCHEDULE="18:00-22:00=8,22:00-02:00=4,7pm=3": "7pm=3" is not HH:MM-HH:MM=N
        STREAM_BUFFER_MIN="5": must be ≤ STREAM_BUFFER_MAX=2
      `,
    ],
    [
      'per-key and cross-key problems, a bad key hiding none',
      {
        NAMESPACE: 'Bad_NS',
        GPUS_PER_POD: 'two',
        HPA_METRIC: 'cpu',
        HPA_TARGET: '-1',
        HPA_MIN_REPLICAS: '5',
        HPA_MAX_REPLICAS: '2',
        TURN_MIN_PORT: '60000',
        TURN_MAX_PORT: '50000',
        TURN_ALLOWED_PEER_CIDRS: '10.0.0.0/33,nonsense',
        GPU_POOL_LABEL: 'no-equals',
        TURN_POOL_TAINT: 'app.pixel/turn=true:Sometimes',
        TURN_URLS: 'http://x',
        ROUTER_ENABLED: 'maybe',
      },
      `
        NAMESPACE="Bad_NS": must be a DNS-1123 label
        TURN_ALLOWED_PEER_CIDRS="10.0.0.0/33,nonsense": "10.0.0.0/33" is not a CIDR
        TURN_ALLOWED_PEER_CIDRS="10.0.0.0/33,nonsense": "nonsense" is not a CIDR
        TURN_URLS="http://x": "http://x" must be a turn: or turns: URL
        GPU_POOL_LABEL="no-equals": must be key=value
        TURN_POOL_TAINT="app.pixel/turn=true:Sometimes": must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute
        GPUS_PER_POD="two": must be an integer between 1 and 16
        ROUTER_ENABLED="maybe": must be true or false
        HPA_METRIC="cpu": must be one of demand, ratio, available
        HPA_TARGET="-1": must be a positive number
        TURN_MIN_PORT="60000": must be ≤ TURN_MAX_PORT=50000
        HPA_MIN_REPLICAS="5": must be ≤ HPA_MAX_REPLICAS=2
      `,
    ],
    [
      'the image, user, resource and entry keys',
      {
        STREAMER_IMAGE: 'Bad Image',
        SIDECAR_RUN_AS: '0',
        ROUTER_RUN_AS: 'nobody',
        STREAMER_WRITABLE_PATHS: 'tmp,/',
        STREAMER_MEMORY_REQUEST: 'lots',
        IMAGE_PULL_POLICY: 'Sometimes',
        ENTRY: 'door',
        GATEWAY_PARENT: 'a/b/c',
      },
      `
        STREAMER_IMAGE="Bad Image": must be an image name ([registry/]path, lowercase, no tag)
        IMAGE_PULL_POLICY="Sometimes": must be one of auto, Always, IfNotPresent, Never
        SIDECAR_RUN_AS="0": must not be root (0): every pod runs as non-root
        ROUTER_RUN_AS="nobody": must be uid[:gid]
        STREAMER_WRITABLE_PATHS="tmp,/": "tmp" must be an absolute path other than /
        STREAMER_WRITABLE_PATHS="tmp,/": "/" must be an absolute path other than /
        STREAMER_MEMORY_REQUEST="lots": must be a quantity such as 2, 500m or 4Gi
        ENTRY="door": must be one of gateway, ingress
        GATEWAY_PARENT="a/b/c": must be namespace/name of a Gateway
      `,
    ],
    ...(
      [
        [
          'the Service CIDR',
          '10.0.0.0/8',
          '10.0.0.0/8 overlaps 10.96.0.0/12, which must stay refused: the Service network',
        ],
        [
          'loopback',
          '10.244.0.0/16,127.0.0.0/16',
          "127.0.0.0/16 overlaps 127.0.0.0/8, which must stay refused: loopback: the node's own services (kubelet, node exporters)",
        ],
        [
          'the metadata address',
          '169.254.169.254/32',
          '169.254.169.254/32 overlaps 169.254.0.0/16, which must stay refused: link-local, including the cloud metadata service 169.254.169.254',
        ],
        [
          'IPv6 metadata inside a ULA pod range',
          'fd00::/8',
          'fd00::/8 overlaps fd00:ec2::254/128, which must stay refused: cloud metadata service over IPv6 (AWS), inside fc00::/7',
        ],
        [
          'everything',
          '0.0.0.0/0',
          '0.0.0.0/0 overlaps 0.0.0.0/8, which must stay refused: "this network"; 0.0.0.0 reaches the node itself',
        ],
      ] as [string, string, string][]
    ).map(([what, cidrs, rule]): Refused => [
      `an allowed peer range overlapping ${what}`,
      { TURN_ALLOWED_PEER_CIDRS: cidrs },
      `
        TURN_ALLOWED_PEER_CIDRS=${JSON.stringify(cidrs)}: ${rule}
      `,
    ]),
    [
      'an allowed peer range overlapping a custom Service CIDR',
      { TURN_ALLOWED_PEER_CIDRS: '172.20.0.0/16', TURN_SERVICE_CIDR: '172.20.128.0/20' },
      `
        TURN_ALLOWED_PEER_CIDRS="172.20.0.0/16": 172.20.0.0/16 overlaps 172.20.128.0/20, which must stay refused: the Service network
      `,
    ],
    [
      'privileged relay ports',
      { TURN_MIN_PORT: '1023', TURN_MAX_PORT: '2000' },
      `
        TURN_MIN_PORT="1023": must be ≥ 1024 (relays never take privileged ports)
      `,
    ],
    [
      'a relay range over the listener and the exporter',
      { TURN_MIN_PORT: '80' },
      `
        TURN_MIN_PORT="80": must be ≥ 1024 (relays never take privileged ports)
        TURN_LISTEN_PORT=(unset): must lie outside the relay range 80-65535
        TURN_EXPORTER_PORT=(unset): must lie outside the relay range 80-65535
      `,
    ],
    [
      'a reversed relay range',
      { TURN_MIN_PORT: '60000', TURN_MAX_PORT: '50000' },
      `
        TURN_MIN_PORT="60000": must be ≤ TURN_MAX_PORT=50000
      `,
    ],
    [
      'the listener in the relay range',
      { TURN_LISTEN_PORT: '50000' },
      `
        TURN_LISTEN_PORT="50000": must lie outside the relay range 49152-65535
      `,
    ],
    [
      'the exporter on the listener',
      { TURN_EXPORTER_PORT: '3478' },
      `
        TURN_EXPORTER_PORT="3478": must differ from TURN_LISTEN_PORT
      `,
    ],
    [
      'both moved to one port',
      { TURN_LISTEN_PORT: '443', TURN_EXPORTER_PORT: '443' },
      `
        TURN_EXPORTER_PORT="443": must differ from TURN_LISTEN_PORT
      `,
    ],
    [
      'the exporter in the relay range',
      { TURN_EXPORTER_PORT: '49152' },
      `
        TURN_EXPORTER_PORT="49152": must lie outside the relay range 49152-65535
      `,
    ],
    [
      'a relay range over the default exporter',
      { TURN_MIN_PORT: '9000', TURN_MAX_PORT: '9999' },
      `
        TURN_EXPORTER_PORT=(unset): must lie outside the relay range 9000-9999
      `,
    ],
  ])('refuses %s, all at once', (_, env, expected) => {
    expect(refusalLines(() => loadKitConfig(env))).toEqual(block(expected));
  });
});

describe('labels, taints, CIDRs', () => {
  it.each([
    ['app.pixel/gpu=true', { key: 'app.pixel/gpu', value: 'true' }],
    ['pool=gpu-a', { key: 'pool', value: 'gpu-a' }],
    ['=x', undefined],
    ['a/b/c=x', undefined],
    ['key=bad value', undefined],
  ])('label %s', (text, expected) => expect(parseNodeLabel(text)).toEqual(expected));

  it.each([
    ['nvidia.com/gpu:NoSchedule', { key: 'nvidia.com/gpu', value: undefined, effect: 'NoSchedule' }],
    ['app.pixel/turn=true:NoExecute', { key: 'app.pixel/turn', value: 'true', effect: 'NoExecute' }],
    ['app.pixel/turn=true', undefined],
    [':NoSchedule', undefined],
  ])('taint %s', (text, expected) => expect(parseNodeTaint(text)).toEqual(expected));

  it.each([
    ['10.244.0.0/16', true],
    ['fd00::/8', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0', false],
    ['host/8', false],
  ])('cidr %s → %s', (text, ok) => expect(isCidr(text)).toBe(ok));
});

describe('.env files', () => {
  it('reads, merges with the environment (environment wins) and rewrites values in place', () => {
    const path = join(dir, 'a.env');
    writeFileSync(
      path,
      '# the namespace\nNAMESPACE=pixel\n\n# buffer\nSTREAM_BUFFER=2 # inline\nOTHER=keep\n',
    );
    expect(readDotEnv(path)).toEqual({ NAMESPACE: 'pixel', STREAM_BUFFER: '2', OTHER: 'keep' });
    const merged = kitEnv(path, { NAMESPACE: 'fromenv', PATH: '/bin' });
    expect(merged.NAMESPACE).toBe('fromenv');
    expect(merged.STREAM_BUFFER).toBe('2');
    expect(merged.PATH).toBeUndefined();

    writeDotEnvValues(path, { STREAM_BUFFER: 3, HPA_TARGET: 0.5, INGRESS_HOST: 'a b' });
    expect(readFileSync(path, 'utf8')).toBe(
      "# the namespace\nNAMESPACE=pixel\n\n# buffer\nSTREAM_BUFFER=3\nOTHER=keep\nHPA_TARGET=0.5\nINGRESS_HOST='a b'\n",
    );
    expect(readDotEnv(path)).toEqual({
      NAMESPACE: 'pixel',
      STREAM_BUFFER: '3',
      OTHER: 'keep',
      HPA_TARGET: '0.5',
      INGRESS_HOST: 'a b',
    });
  });

  it('creates a missing file and refuses bad keys and values', () => {
    const path = join(dir, 'new.env');
    writeDotEnvValues(path, { A: "it's" });
    expect(readDotEnv(path)).toEqual({ A: "it's" });
    expect(refusalLines(() => writeDotEnvValues(path, { A: 'line\nbreak' }))).toEqual([
      'A="line\\nbreak": a .env value cannot hold a line break',
    ]);
  });
});
