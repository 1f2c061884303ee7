// The autoscaling inputs end to end: six real sidecar processes and a real router, driven through known
// states (free, allocated, queued, draining, a session ending), scraped by a real Prometheus with the labels
// a ServiceMonitor attaches. Each adapter rule is rendered exactly as prometheus-adapter renders it for the
// streamer Service and run through the HTTP API; the HPA arithmetic on the results gives the replica
// counts support/README.md promises. Then every dashboard query must return data, with GPU and
// kube-state-metrics series served by a tiny fixed-text exporter.
// Copies of some targets under a second namespace prove the queries stay in theirs. Two more Prometheus
// servers load the rules of other .env files: STREAM_BUFFER=5 moves the demand to 5; adaptive with a
// pre-warming window around now gives 12; the adaptive buffer equals the formula evaluated in TypeScript
// over the live arrival rate. The alert expressions run against the live data too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADAPTER, DCGM, KUBE_STATE, SIDECAR } from '../common/metric-names.js';
import { SignallingClient } from '../test/support/player-client.js';
import { startNode, type RunningProcess } from '../test/support/processes.js';
import { StreamerStandIn } from '../test/support/streamer-stand-in.js';
import { requirements } from '../test/support/tools.js';
import { renderAdapterQuery } from './adapter-query.js';
import { adapterRuleFor, adapterRules } from './adapter-rules.js';
import { BUFFER_WITHOUT_RULES, CAPACITY_RECORDED } from './capacity-rules.js';
import { monitoringOptionsFromKit, PROCESSING_POOL } from './options.js';
import { serviceMetricQuery } from './scaler-queries.js';
import { WARM_FALLBACK, warmBufferValue } from './warm-capacity.js';
import { loadKitConfig } from '../common/kit-config.js';
import { dashboardQueries } from './dashboard-queries.js';
import { dashboards } from './dashboards/index.js';
import { desiredForAverageValue, desiredForValue } from './hpa-math.js';
import { ALERTS, prometheusRuleGroups, RECORDED } from './prometheus-rules.js';
import { exposition, startFixedExporter, type FixedExporter } from './testing/fixed-exporter.js';
import {
  startPrometheus,
  type Sample,
  type ScrapeTarget,
  type TestPrometheus,
} from './testing/prometheus.js';

const ok = requirements(['prometheus']);

const TOKEN = 'monitoring-e2e-router-token-0123456789';
const BUFFER = 2;
const NS = 'pixel';
const PODS = ['streamer-1', 'streamer-2', 'streamer-3', 'streamer-4', 'streamer-5', 'streamer-6'];
/** Pods 1–5 get a streamer; streamer-6 keeps a sidecar without one. */
const WITH_STREAMER = 5;

interface Pod {
  name: string;
  proc: RunningProcess;
  playerPort: number;
  streamerPort: number;
  metricsPort: number;
}

/** The rules as committed (support/prometheus-adapter.values.yaml): they name the processing pool too. */
const POOLS = { otherPools: [PROCESSING_POOL] };
const rules = adapterRules(POOLS);
/** The deployment under test, as its .env would say it: a fixed buffer of BUFFER in namespace NS. */
const KIT = { NAMESPACE: NS, STREAM_BUFFER_MODE: 'fixed', STREAM_BUFFER: String(BUFFER) };
/** The same deployment after STREAM_BUFFER=5 is set in its .env. */
const KIT_BUFFER_5 = { ...KIT, STREAM_BUFFER: '5' };
/** Adaptive warm capacity plus a pre-warming window of 12 streams around the time the test runs. */
const minuteNow = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const KIT_ADAPTIVE = {
  NAMESPACE: NS,
  STREAM_BUFFER_MODE: 'adaptive',
  // Unclamped in practice, so the buffer follows the measured rate instead of sitting at a bound.
  STREAM_BUFFER_MAX: '1000',
  PREWARM_SCHEDULE: `${hhmm(Math.max(0, minuteNow - 5))}-${hhmm(Math.min(1440, minuteNow + 30))}=12`,
};
/** A rule file as ./kustom.sh's PrometheusRule would carry it for `env`. */
function ruleFileFor(dir: string, name: string, env: Record<string, string>): string {
  const file = path.join(dir, `${name}.rules.yaml`);
  writeFileSync(
    file,
    stringify({ groups: prometheusRuleGroups(monitoringOptionsFromKit(loadKitConfig(env))) }),
  );
  return file;
}
const sidecarEnv = {
  PLAYER_PORT: '0',
  PLAYER_HOST: '127.0.0.1',
  STREAMER_PORT: '0',
  SFU_PORT: '0',
  METRICS_PORT: '0',
  ROUTER_TOKEN: TOKEN,
  // A freed stream is free at once, so the router's queue drains within the test.
  RESUME_GRACE_SECONDS: '0',
  DRAIN_TIMEOUT_SECONDS: '120',
  LOG_LEVEL: 'info',
};

/** The adapter's query for an Object metric on the streamer Service in `namespace` (also KEDA's trigger). */
function serviceQuery(metric: string, namespace = NS, service = 'streamer'): string {
  return serviceMetricQuery(metric, namespace, POOLS, service);
}
function podsQuery(pods: string[]): string {
  const rule = adapterRuleFor(rules, ADAPTER.playerConnections);
  return renderAdapterQuery(rule.metricsQuery, {
    series: rule.name.matches.slice(1, -1),
    namespace: NS,
    resourceLabel: 'pod',
    names: pods,
  });
}
/** One sample labelled service="streamer" (what the adapter matches to the object) with this value. */
const single =
  (value: number, service = 'streamer') =>
  (s: Sample[]) =>
    s.length === 1 && s[0]!.labels.service === service && Math.abs(s[0]!.value - value) < 1e-9;
/** The same, for the processing pool's Service. */
const onProcessor = (value: number) => single(value, PROCESSING_POOL.streamerService);

describe.skipIf(!ok)('adapter rules, alerts and dashboards on a live Prometheus', () => {
  const pods: Pod[] = [];
  /** Every child process, tracked before it is known to be up so a failed start still gets killed. */
  const started: RunningProcess[] = [];
  const streamers: StreamerStandIn[] = [];
  const players: SignallingClient[] = [];
  const sessions: Promise<unknown>[] = [];
  let router: RunningProcess | undefined;
  /** A processing pool's sidecar (no streamer yet), scraped as Service `processor`. */
  let processorMetricsPort = 0;
  let prom: TestPrometheus | undefined;
  /** The same targets under the rules of another .env: STREAM_BUFFER=5, and adaptive with a schedule. */
  let promBuffer5: TestPrometheus | undefined;
  let promAdaptive: TestPrometheus | undefined;
  const rulesDir = mkdtempSync(path.join(tmpdir(), 'pixelstream-kit-rules-'));
  let exporter: FixedExporter | undefined;

  beforeAll(async () => {
    const procs = PODS.map(() => startNode('signalserver/main.ts', sidecarEnv));
    started.push(...procs);
    const listening = await Promise.all(procs.map((p) => p.waitFor((l) => l.msg === 'listening', 45_000)));
    listening.forEach((l, i) =>
      pods.push({
        name: PODS[i]!,
        proc: procs[i]!,
        playerPort: Number(l.playerPort),
        streamerPort: Number(l.streamerPort),
        metricsPort: Number(l.metricsPort),
      }),
    );
    const processor = startNode('signalserver/main.ts', sidecarEnv);
    started.push(processor);
    processorMetricsPort = Number(
      (await processor.waitFor((l) => l.msg === 'listening', 45_000)).metricsPort,
    );
    for (const pod of pods.slice(0, WITH_STREAMER)) {
      const s = await StreamerStandIn.start(`ws://127.0.0.1:${pod.streamerPort}`);
      await s.registered();
      streamers.push(s);
    }
    router = startNode('router/main.ts', {
      ROUTER_PORT: '0',
      ROUTER_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      ROUTER_TOKEN: TOKEN,
      SIDECAR_URLS: pods.map((p) => `http://127.0.0.1:${p.playerPort}`).join(','),
      RESUME_GRACE_SECONDS: '0',
      QUEUE_TIMEOUT_SECONDS: '300',
      QUEUE_POLL_MS: '200',
      LOG_LEVEL: 'info',
    });
    const routerUp = await router.waitFor((l) => l.msg === 'listening', 45_000);

    exporter = await startFixedExporter(fixedSeries());
    const targets: ScrapeTarget[] = [
      ...pods.map((p) => ({
        job: 'streamer',
        address: `127.0.0.1:${p.metricsPort}`,
        labels: { namespace: NS, service: 'streamer', pod: p.name },
      })),
      {
        job: 'router',
        address: `127.0.0.1:${Number(routerUp.metricsPort)}`,
        labels: { namespace: NS, service: 'router', pod: 'router-a' },
      },
      // The same processes seen again from another namespace: if a query leaked across namespaces, the
      // values in `pixel` would double.
      {
        job: 'streamer-other',
        address: `127.0.0.1:${pods[0]!.metricsPort}`,
        labels: { namespace: 'other', service: 'streamer', pod: 'other-1' },
      },
      {
        job: 'router-other',
        address: `127.0.0.1:${Number(routerUp.metricsPort)}`,
        labels: { namespace: 'other', service: 'router', pod: 'other-router' },
      },
      // A processing pool beside it: its own sidecar, and (the same router process seen again) its own
      // router, whose queue must count for the processing pool only.
      {
        job: 'processor',
        address: `127.0.0.1:${processorMetricsPort}`,
        labels: { namespace: NS, service: PROCESSING_POOL.streamerService, pod: 'processor-1' },
      },
      {
        job: 'router-processor',
        address: `127.0.0.1:${Number(routerUp.metricsPort)}`,
        labels: { namespace: NS, service: PROCESSING_POOL.routerService, pod: 'router-processor-a' },
      },
      { job: 'exporters', address: exporter.address, honorLabels: true },
    ];
    prom = await startPrometheus(targets, [ruleFileFor(rulesDir, 'buffer-2', KIT)]);
    promBuffer5 = await startPrometheus(targets, [ruleFileFor(rulesDir, 'buffer-5', KIT_BUFFER_5)]);
    promAdaptive = await startPrometheus(targets, [ruleFileFor(rulesDir, 'adaptive', KIT_ADAPTIVE)]);
    ctx.routerUrl = `ws://127.0.0.1:${Number(routerUp.port)}/`;
  }, 90_000);

  afterAll(async () => {
    for (const p of players) p.ws.terminate();
    for (const s of streamers) s.ws.terminate();
    await prom?.stop();
    await promBuffer5?.stop();
    await promAdaptive?.stop();
    rmSync(rulesDir, { recursive: true, force: true });
    await exporter?.close();
    await router?.stop('SIGKILL');
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
  }, 30_000);

  const ctx = { routerUrl: '' };

  /**
   * A player through the router: it may first get queuePosition messages; once the router has piped it to a
   * sidecar it gets `config`, subscribes and answers the offer like Epic's frontend.
   */
  async function joinPlayer(): Promise<SignallingClient> {
    const p = await SignallingClient.open(ctx.routerUrl);
    players.push(p);
    const session = (async () => {
      await p.nextOf('config', 120_000);
      p.send({ type: 'subscribe', streamerId: 'DefaultStreamer' });
      await p.nextOf('offer', 10_000);
      p.send({ type: 'answer', sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n' });
    })();
    sessions.push(session.catch(() => undefined));
    return p;
  }

  /** Pods the controller would count as Ready: those whose sidecar answers /readyz with 200. */
  async function readyPods(): Promise<number> {
    const codes = await Promise.all(
      pods.map(async (p) => (await fetch(`http://127.0.0.1:${p.playerPort}/readyz`)).status),
    );
    return codes.filter((c) => c === 200).length;
  }

  async function expectInputs(want: {
    available: number;
    ratio: number;
    demand: number;
    connections: Record<string, number>;
  }) {
    const p = prom!;
    await p.until(serviceQuery(ADAPTER.availableCount), single(want.available));
    await p.until(serviceQuery(ADAPTER.poolRatio), single(want.ratio));
    await p.until(serviceQuery(ADAPTER.demand), single(want.demand));
    await p.until(
      podsQuery(PODS),
      (s) => s.length === PODS.length && s.every((x) => x.value === (want.connections[x.labels.pod!] ?? 0)),
    );
  }

  it('free: 5 streams free, demand = buffer, no players', async () => {
    await expectInputs({ available: 5, ratio: 0, demand: BUFFER, connections: {} });
    // HPA on demand (AverageValue 1): 6 running → 2 wanted (keep exactly `buffer` free streams).
    expect(desiredForAverageValue(6, BUFFER, 1)).toBe(2);
    // The other namespace sees only its own copy of streamer-1 (free) and an empty queue; no rules were
    // installed for it, so its demand adds the buffer the adapter rule falls back to.
    await prom!.until(serviceQuery(ADAPTER.availableCount, 'other'), single(1));
    await prom!.until(serviceQuery(ADAPTER.demand, 'other'), single(BUFFER_WITHOUT_RULES));
    // The processing pool: nothing allocated, nothing queued, the buffer its rules would record (none here).
    await prom!.until(serviceQuery(ADAPTER.demand, NS, 'processor'), onProcessor(BUFFER_WITHOUT_RULES));
  });

  it('STREAM_BUFFER=5 in .env: the same query (adapter and KEDA) sees demand 5; a schedule window raises it to 12', async () => {
    await promBuffer5!.until(serviceQuery(ADAPTER.demand), single(5));
    expect(desiredForAverageValue(6, 5, 1)).toBe(5);
    // Adaptive with nobody arrived yet keeps the minimum buffer, but the window asks for 12 streams.
    await promAdaptive!.until(serviceQuery(ADAPTER.demand), single(12));
    await promAdaptive!.until(`${CAPACITY_RECORDED.scheduledMinimum}{namespace="${NS}"}`, single(12));
  });

  it('allocated: 5 players on 5 streams → demand 7, the documented 7 replicas', async () => {
    for (let i = 0; i < 5; i++) await joinPlayer();
    const one = Object.fromEntries(PODS.slice(0, WITH_STREAMER).map((p) => [p, 1]));
    await expectInputs({ available: 0, ratio: 1, demand: 5 + BUFFER, connections: one });
    expect(desiredForAverageValue(6, 5 + BUFFER, 1)).toBe(7);
    // The original kit's ratio target 0.9 multiplies the Ready pods (5: streamer-6 has no streamer and fails
    // /readyz) → ceil(5 × 1/0.9) = 6: one free stream fewer than demand's 7, with every stream taken.
    expect(await readyPods()).toBe(WITH_STREAMER);
    expect(desiredForValue(6, WITH_STREAMER, 1, 0.9)).toBe(6);
    await prom!.until(
      `${RECORDED.allocated}{namespace="${NS}",service="streamer"}`,
      (s) => s.length === 1 && s[0]!.value === 5,
    );
  });

  it('queued: 2 more players wait in the router → demand 9, ratio 7/5', async () => {
    await joinPlayer();
    await joinPlayer();
    const one = Object.fromEntries(PODS.slice(0, WITH_STREAMER).map((p) => [p, 1]));
    await expectInputs({ available: 0, ratio: 7 / 5, demand: 5 + 2 + BUFFER, connections: one });
    expect(desiredForAverageValue(6, 9, 1)).toBe(9);
    // ceil(5 Ready × (7/5) / 0.9) = ceil(7.8) = 8: the ratio asks for (players + queued) / 0.9 streams.
    expect(desiredForValue(6, WITH_STREAMER, 7 / 5, 0.9)).toBe(8);
    // The other namespace has its own copy of the router's queue but one stream: ratio (1 + 2) / 1.
    await prom!.until(serviceQuery(ADAPTER.poolRatio, 'other'), single(3));
    // Its copy as the processing pool's router: 2 queued there, on the processing pool's own demand.
    await prom!.until(serviceQuery(ADAPTER.demand, NS, 'processor'), onProcessor(2 + BUFFER_WITHOUT_RULES));
  });

  it('draining: SIGTERM with a live session leaves the stream out of demand and out of ready streams', async () => {
    pods[0]!.proc.child.kill('SIGTERM');
    await prom!.until(
      `${SIDECAR.draining}{namespace="${NS}",pod="${PODS[0]}"}`,
      (s) => s.length === 1 && s[0]!.value === 1,
    );
    const one = Object.fromEntries(PODS.slice(0, WITH_STREAMER).map((p) => [p, 1]));
    // 4 allocated (not draining) + 2 queued + 2 → 8; (4 players + 2 queued) / 4 ready streams.
    await expectInputs({ available: 0, ratio: 6 / 4, demand: 4 + 2 + BUFFER, connections: one });
    expect(desiredForAverageValue(6, 8, 1)).toBe(8);
  });

  it('a session ends: the queued player takes the stream, the queue shrinks to 1', async () => {
    const streamer = streamers[1]!;
    const connected = streamer.received.filter((m) => m.type === 'playerConnected');
    expect(connected.length).toBeGreaterThan(0);
    streamer.disconnectPlayer(String(connected.at(-1)!.playerId));
    const one = Object.fromEntries(PODS.slice(0, WITH_STREAMER).map((p) => [p, 1]));
    await expectInputs({ available: 0, ratio: 5 / 4, demand: 4 + 1 + BUFFER, connections: one });
    expect(desiredForAverageValue(8, 7, 1)).toBe(7);
  });

  it('the adaptive buffer is the warm-capacity formula over the live arrival rate', async () => {
    const p = promAdaptive!;
    // Seven players have arrived at the router by now: λ > 0; no pod or node start measured (fallbacks).
    await p.until(
      `${CAPACITY_RECORDED.arrivalRate}{namespace="${NS}"}`,
      (s) => s.length === 1 && s[0]!.value > 0,
    );
    expect(await p.query(`${CAPACITY_RECORDED.podReadySeconds}{namespace="${NS}"}`)).toEqual([]);
    // The rule and the simulator's reading of the one formula agree on what Prometheus measured (both
    // series come from the same rule evaluation; the rate moves between evaluations, so poll until a pair
    // from one evaluation is read).
    await vi.waitFor(
      async () => {
        const [buffer] = await p.query(`${CAPACITY_RECORDED.buffer}{namespace="${NS}"}`);
        const [rate] = await p.query(`${CAPACITY_RECORDED.arrivalRate}{namespace="${NS}"}`);
        const expected = warmBufferValue(
          { arrivalRate: rate!.value, ...WARM_FALLBACK },
          { min: 1, max: 1000 },
        );
        expect(buffer!.value).toBe(expected);
      },
      { timeout: 10_000, interval: 200 },
    );
  });

  it('the alert expressions see the sidecar without a streamer and no free stream', async () => {
    const alerts = new Map(
      prometheusRuleGroups()
        .flatMap((g) => g.rules)
        .flatMap((r) => ('alert' in r ? [[r.alert, r.expr] as const] : [])),
    );
    const lonely = await prom!.until(alerts.get(ALERTS.sidecarWithoutStreamer)!, (s) => s.length > 0);
    expect(lonely.map((s) => `${s.labels.namespace}/${s.labels.pod}`)).toEqual([`${NS}/${PODS[5]}`]);
    // `other` holds only a copy of the draining streamer-1, so it has no free stream either.
    const noFree = await prom!.until(alerts.get(ALERTS.noFreeStream)!, (s) => s.length === 2);
    expect(noFree.map((s) => s.labels.namespace).sort()).toEqual(['other', NS]);
    const hot = await prom!.until(alerts.get(ALERTS.gpuTemperatureHigh)!, (s) => s.length > 0);
    expect(hot.map((s) => s.labels.pod)).toEqual(['streamer-2']);
  });

  it('every dashboard query returns data for the namespace', async () => {
    const queries = Object.values(dashboards({ buffer: BUFFER })).flatMap((d) =>
      dashboardQueries(d, { namespace: NS, node: '.*' }),
    );
    const empty: string[] = [];
    for (const q of queries) {
      try {
        await prom!.until(q.expr, (s) => s.length > 0 && s.every((x) => Number.isFinite(x.value)), 15_000);
      } catch {
        empty.push(`${q.panel} [${q.refId}]: ${q.expr}`);
      }
    }
    expect(empty).toEqual([]);
  });
});

/** dcgm-exporter- and kube-state-metrics-shaped series for the pods under test. */
function fixedSeries(): string {
  const gpu = (i: number) => ({
    gpu: '0',
    UUID: `GPU-0000-${i}`,
    device: 'nvidia0',
    modelName: 'NVIDIA A10',
    Hostname: `gpu-node-${i}`,
    container: 'app',
    namespace: NS,
    pod: PODS[i - 1]!,
  });
  const five = [1, 2, 3, 4, 5];
  /** One series per GPU of the five pods: its value (and labels) by GPU number. */
  const perGpu = (metric: string, value: (i: number) => number, labels = gpu) =>
    exposition(
      metric,
      five.map((i) => [labels(i), value(i)]),
    );
  const hpa = { namespace: NS, horizontalpodautoscaler: 'streamer' };
  const turn = { namespace: NS, daemonset: 'turn' };
  return (
    [
      perGpu(DCGM.gpuUtil, (i) => 40 + i),
      perGpu(DCGM.encoderUtil, (i) => 20 + i),
      perGpu(DCGM.decoderUtil, () => 0),
      perGpu(DCGM.memoryUsed, (i) => 6000 + i),
      perGpu(DCGM.memoryFree, () => 16000),
      perGpu(DCGM.temperature, (i) => (i === 2 ? 91 : 60)),
      perGpu(DCGM.power, () => 110),
      // One pod on a MIG instance: its series carry the instance, which the per-pod panels group by.
      perGpu(
        DCGM.engineActive,
        () => 0.3,
        (i) => (i === 5 ? { ...gpu(i), GPU_I_ID: '3', GPU_I_PROFILE: '1g.10gb' } : gpu(i)),
      ),
      exposition(KUBE_STATE.hpaDesiredReplicas, [[hpa, 7]]),
      exposition(KUBE_STATE.hpaCurrentReplicas, [[hpa, 6]]),
      exposition(KUBE_STATE.hpaMinReplicas, [[hpa, 1]]),
      exposition(KUBE_STATE.hpaMaxReplicas, [[hpa, 10]]),
      exposition(KUBE_STATE.daemonsetDesired, [[turn, 2]]),
      exposition(KUBE_STATE.daemonsetReady, [[turn, 2]]),
    ].join('\n') + '\n'
  );
}
