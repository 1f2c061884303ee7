// The pools a .env declares (k8s/pools.ts): a processing pool beside the rendering pool, instead of it, on
// an Ingress and without GPUs. Synthesized to disk like `npm run synth`, every object validated against the
// official schemas, every container's env through its component's own checker; then each pool's Service,
// router, autoscaler, route, policies and monitoring asserted exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/env-config.js';
import { KIT_VERSION, loadKitConfig } from '../common/kit-config.js';
import { ADAPTER, ROUTER } from '../common/metric-names.js';
import { adapterRules, CAPACITY_RECORDED, serviceMetricQuery } from '../support/index.js';
import { loadRouterConfig } from '../router/index.js';
import { containerProblems } from './container-checks.js';
import { manifestProblems } from './manifest-problems.js';
import { monitoringOptions } from './kit-chart.js';
import {
  EXAMPLE_ADDITIONS,
  EXAMPLE_ENV,
  container,
  envOf,
  find,
  names,
  podSpec,
  synthesizer,
  type Synth,
} from './testing/manifests.js';
import { validate } from './testing/schemas.js';

const EXAMPLE = `${readFileSync(EXAMPLE_ENV, 'utf8')}${EXAMPLE_ADDITIONS}`;
const EXAMPLE_FUNCTION = 'process:exec:python3 streamer/processing/examples/invert_detect.py';
const PROCESSING = `PROCESS_SOURCE='${EXAMPLE_FUNCTION}'\nPROCESS_MIN_REPLICAS=2\nPROCESS_MAX_REPLICAS=6\nPROCESS_RECORD_CLAIM=recordings\n`;

const synthesize = synthesizer('k8s-pools-');
const synth = (name: string, extra: string): Synth => synthesize(name, `${EXAMPLE}${extra}`);
const selector = (component: string) => ({
  'app.kubernetes.io/name': 'pixelstream',
  'app.kubernetes.io/component': component,
});

const beside = synth('beside', PROCESSING);
const instead = synth('instead', `${PROCESSING}RENDER_POOL_ENABLED=false\nPROCESS_TAG=2.0-proc\n`);
const keda = synth('keda', `${PROCESSING}AUTOSCALER=keda\n`);
const ingress = synth('ingress', `${PROCESSING}ENTRY=ingress\nPROCESS_GPUS_PER_POD=0\n`);

describe.each([
  ['beside the rendering pool', beside],
  ['instead of it', instead],
  ['with KEDA', keda],
  ['on an Ingress, without GPUs', ingress],
])('a processing pool %s', (_label, s) => {
  it('every object is valid against the official schemas, and every container would start', () => {
    for (const o of s.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    expect(containerProblems(s.objects)).toEqual([]);
  });

  it('runs the example function with the same sidecar, its recording volume mounted', () => {
    const d = find(s, 'Deployment', 'processor');
    expect(d.spec?.selector.matchLabels).toEqual(selector('processor'));
    const app = container(d, 'streamer');
    expect(app.image).toBe(`pixelstream-streamer:${s.config.PROCESS_TAG}`);
    expect(envOf(app)).toMatchObject({
      STREAM_SOURCE: EXAMPLE_FUNCTION,
      STREAM_CODEC: 'vp8',
      RECORD_DIR: '/recordings',
    });
    expect(app.volumeMounts).toContainEqual({ name: 'recordings', mountPath: '/recordings' });
    expect(podSpec(d).volumes).toContainEqual({
      name: 'recordings',
      persistentVolumeClaim: { claimName: 'recordings' },
    });
    // The sidecar is the rendering pool's, field for field (the one here when it exists).
    if (s.config.RENDER_POOL_ENABLED)
      expect(container(d, 'signalserver')).toEqual(
        container(find(s, 'Deployment', 'streamer'), 'signalserver'),
      );
    expect(find(s, 'PodDisruptionBudget', 'processor-allocated').spec?.selector?.matchLabels).toEqual({
      ...selector('processor'),
      'pixelstream.io/allocated': 'true',
    });
  });

  it('has its own headless Service and a router that finds exactly its pods', () => {
    expect(find(s, 'Service', 'processor').spec).toEqual({
      clusterIP: 'None',
      selector: selector('processor'),
      ports: [
        { name: 'player', port: 8080, targetPort: 'player', protocol: 'TCP' },
        { name: 'metrics', port: 9000, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
    const router = find(s, 'Deployment', 'router-processor');
    const env = Object.fromEntries(
      (container(router, 'router').env ?? []).map((e) => [e.name, e.value ?? 'x'.repeat(32)]),
    );
    const loaded = loadRouterConfig({
      ...env,
      POD_NAMESPACE: 'pixelstream',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(loaded.podSelector).toBe(
      'app.kubernetes.io/name=pixelstream,app.kubernetes.io/component=processor',
    );
    // Beside the rendering pool on one host, each router keeps its own resume cookie.
    expect(loaded.sessionCookieName).toBe(
      s.config.RENDER_POOL_ENABLED ? 'pxs_session_processor' : 'pxs_session',
    );
    expect(router.spec?.selector.matchLabels).toEqual(selector('router-processor'));
    // Beside the pools: the warm-capacity balloons (BALLOON_PODS in .env.example).
    expect(names(s, 'Deployment')).toEqual(
      s.config.RENDER_POOL_ENABLED
        ? ['pixelstream-balloon', 'processor', 'router', 'router-processor', 'streamer']
        : ['pixelstream-balloon', 'processor', 'router-processor'],
    );
    expect(names(s, 'Service')).toEqual(
      s.config.RENDER_POOL_ENABLED
        ? ['processor', 'router', 'router-processor', 'streamer']
        : ['processor', 'router-processor'],
    );
  });

  it('scales on its own Service with its own bounds, the same metric and behavior', () => {
    const opts = monitoringOptions(s.config);
    if (s.config.AUTOSCALER === 'keda') {
      const so = find(s, 'ScaledObject', 'processor').spec;
      expect(so?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'processor' });
      expect([so?.minReplicaCount, so?.maxReplicaCount]).toEqual([2, 6]);
      // Its own router's queue only: the rendering router's is the rendering pool's.
      expect(so?.triggers[0]?.metadata.query).not.toContain('{service="router"}, "service", "processor"');
      expect(so?.triggers).toEqual([
        {
          type: 'prometheus',
          name: ADAPTER.demand,
          metricType: 'AverageValue',
          metadata: {
            serverAddress: s.config.KEDA_PROMETHEUS_URL,
            query: serviceMetricQuery(ADAPTER.demand, 'pixelstream', opts, 'processor'),
            threshold: '1',
          },
        },
      ]);
      return;
    }
    const hpa = find(s, 'HorizontalPodAutoscaler', 'processor').spec;
    expect(hpa).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'processor' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'v1', kind: 'Service', name: 'processor' },
            metric: { name: ADAPTER.demand },
            target: { type: 'AverageValue', averageValue: 1 },
          },
        },
      ],
      behavior: hpa?.behavior,
    });
    if (s.config.RENDER_POOL_ENABLED)
      expect(hpa?.behavior).toEqual(find(s, 'HorizontalPodAutoscaler', 'streamer').spec?.behavior);
    expect(names(s, 'HorizontalPodAutoscaler')).toEqual(
      s.config.RENDER_POOL_ENABLED ? ['processor', 'streamer'] : ['processor'],
    );
  });

  it('lets only its own router reach its player port, and only the entry reach that router', () => {
    const entry = s.config.ENTRY === 'gateway' ? 'envoy-gateway-system' : 'ingress-nginx';
    const policy = find(s, 'NetworkPolicy', 'processor').spec;
    expect(policy?.podSelector?.matchLabels).toEqual(selector('processor'));
    expect(policy?.ingress?.[0]).toEqual({
      from: [{ podSelector: { matchLabels: selector('router-processor') } }],
      ports: [{ protocol: 'TCP', port: 'player' }],
    });
    expect(find(s, 'NetworkPolicy', 'router-processor').spec?.ingress?.[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': entry } } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    expect(names(s, 'NetworkPolicy')).toEqual(
      s.config.RENDER_POOL_ENABLED
        ? ['processor', 'router', 'router-processor', 'streamer']
        : ['processor', 'router-processor'],
    );
  });

  it('is scraped, gets the adapter metrics with its own router queue, and its own warm buffer', () => {
    expect(names(s, 'ServiceMonitor')).toEqual(
      s.config.RENDER_POOL_ENABLED
        ? ['processor', 'router', 'router-processor', 'streamer']
        : ['processor', 'router-processor'],
    );
    const rules = adapterRules(monitoringOptions(s.config)).custom;
    const demand = rules.find((r) => r.name.as === ADAPTER.demand);
    expect(demand?.seriesQuery).toMatch(
      s.config.RENDER_POOL_ENABLED ? /service=~"streamer\|processor"/ : /service="processor"/,
    );
    expect(demand?.metricsQuery).toContain(
      `label_replace(${ROUTER.queueLength}{service="router-processor"}, "service", "processor", "", "")`,
    );
    const recorded = (find(s, 'PrometheusRule', 'pixelstream').spec.groups ?? [])
      .flatMap((g) => g.rules ?? [])
      .filter((r) => r.record === CAPACITY_RECORDED.buffer)
      .map((r) => /"service", "([a-z-]+)"/.exec(String(r.expr))?.[1]);
    expect(recorded).toEqual(s.config.RENDER_POOL_ENABLED ? ['streamer', 'processor'] : ['processor']);
  });
});

describe('the entry path of a processing pool', () => {
  it('Gateway: /process rewritten to / for its router, /process redirected to /process/, / to the rendering router', () => {
    const route = find(beside, 'HTTPRoute', 'pixelstream').spec;
    const timeouts = { request: '24h', backendRequest: '24h' };
    expect(route.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'router', port: 80 }],
        timeouts,
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/process' } }],
        filters: [
          {
            type: 'URLRewrite',
            urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
          },
        ],
        backendRefs: [{ name: 'router-processor', port: 80 }],
        timeouts,
      },
      {
        matches: [{ path: { type: 'Exact', value: '/process' } }],
        filters: [
          {
            type: 'RequestRedirect',
            requestRedirect: {
              path: { type: 'ReplaceFullPath', replaceFullPath: '/process/' },
              statusCode: 301,
            },
          },
        ],
      },
    ]);
  });

  it('Gateway, processing pool alone: the root goes to its router', () => {
    expect(find(instead, 'HTTPRoute', 'pixelstream').spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'router-processor', port: 80 }],
        timeouts: { request: '24h', backendRequest: '24h' },
      },
    ]);
    expect(monitoringOptions(instead.config)).toMatchObject({
      streamerService: 'processor',
      routerService: 'router-processor',
      otherPools: [],
    });
  });

  it('Ingress (nginx): its own Ingress rewriting /process/… to /…; another class is refused', () => {
    expect(names(ingress, 'Ingress')).toEqual(['pixelstream', 'pixelstream-processor']);
    const own = find(ingress, 'Ingress', 'pixelstream-processor');
    expect(own.metadata?.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/use-regex': 'true',
      'nginx.ingress.kubernetes.io/rewrite-target': '/$1',
    });
    expect(own.spec?.rules).toEqual([
      {
        host: 'pixel.example.com',
        http: {
          paths: [
            {
              path: '/process/(.*)',
              pathType: 'ImplementationSpecific',
              backend: { service: { name: 'router-processor', port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    expect(find(ingress, 'Ingress', 'pixelstream').spec?.rules?.[0]?.http?.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'router', port: { name: 'http' } } } },
    ]);
    expect(manifestProblems({ ...ingress.config, INGRESS_CLASS: 'traefik' })).toEqual([
      expect.stringMatching(
        /^INGRESS_CLASS="traefik": the processing pool's path \/process\/ needs a prefix rewrite/,
      ),
    ]);
  });

  it('without GPUs: no GPU limit and no GPU-pool placement; with them, the GPU pool', () => {
    const cpu = podSpec(find(ingress, 'Deployment', 'processor'));
    expect(Object.keys(container(cpu, 'streamer').resources?.limits ?? {})).toEqual(['memory']);
    expect([cpu.nodeSelector, cpu.tolerations]).toEqual([undefined, undefined]);
    const gpu = podSpec(find(beside, 'Deployment', 'processor'));
    expect(container(gpu, 'streamer').resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(gpu.nodeSelector).toEqual({ 'app.pixel/gpu': 'true' });
  });
});

describe('the rendering pool turned into a processing pool (STREAMER_SOURCE=process:…)', () => {
  it('takes PROCESS_CODEC, which players can send their cameras in; a rendering source keeps the image’s', () => {
    const env = (s: Synth) => envOf(container(find(s, 'Deployment', 'streamer'), 'streamer'));
    const processing = synth('streamer-process', 'STREAMER_SOURCE=process:filter:negate\n');
    expect(env(processing)).toMatchObject({ STREAM_SOURCE: 'process:filter:negate', STREAM_CODEC: 'vp8' });
    expect(env(beside).STREAM_CODEC).toBeUndefined();
  });
});

describe('warm capacity of the first pool', () => {
  it.each([
    ['beside the rendering pool: the GPU app', beside, `pixelstream-streamer:${KIT_VERSION}`],
    ['alone: the processing image', instead, 'pixelstream-streamer:2.0-proc'],
  ])('pre-pulls %s', (_label, s, image) => {
    const pull = podSpec(find(s, 'DaemonSet', 'pixelstream-prepull')).initContainers?.[0];
    expect(pull?.image).toBe(image);
  });
});

describe('processing pool keys', () => {
  it('lists every bad key at once', () => {
    let problems: string[] = [];
    try {
      loadKitConfig({
        PROCESS_SOURCE: 'filter:negate',
        PROCESS_IMAGE: 'Bad Image',
        PROCESS_RUN_AS: '0',
        PROCESS_RECORD_CLAIM: 'Bad_Claim',
        PROCESS_PATH: '/a/b/',
        PROCESS_MIN_REPLICAS: '5',
        PROCESS_MAX_REPLICAS: '2',
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems.map((p) => p.split(/[=:]/, 1)[0])).toEqual([
      'PROCESS_SOURCE',
      'PROCESS_IMAGE',
      'PROCESS_RUN_AS',
      'PROCESS_RECORD_CLAIM',
      'PROCESS_PATH',
      'PROCESS_MIN_REPLICAS',
    ]);
  });

  it('refuses a kit without any pool', () => {
    expect(() => loadKitConfig({ RENDER_POOL_ENABLED: 'false' })).toThrow(
      /RENDER_POOL_ENABLED="false": needs PROCESS_SOURCE/,
    );
  });
});
