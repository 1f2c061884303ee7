// The router config: every problem listed at once (exit 2 from the real process), the token, URLs,
// ROUTER_HOST, Kubernetes settings (no API server, which API source is used, bad selector terms) and
// the shutdown bounds.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/index.js';
import { startNode } from '../test/support/processes.js';
import { loadRouterConfig } from './config.js';

const token = 'x'.repeat(32);
/** What Kubernetes sets in every pod (the API server's Service). */
const inCluster = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadRouterConfig(env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
}

describe('loadRouterConfig', () => {
  it('fills the documented defaults', () => {
    const c = loadRouterConfig({ ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:8080, http://b:8080/' });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      metricsPort: 9000,
      discovery: 'static',
      sidecarUrls: ['http://a:8080', 'http://b:8080'],
      podSelector: 'app.kubernetes.io/component=streamer',
      sidecarPlayerPort: 8080,
      queueMax: 200,
      queueTimeoutMs: 300_000,
      reservationTtlSeconds: 15,
      resumeGraceSeconds: 60,
      logLevel: 'info',
      shutdownDelayMs: 5000,
      shutdownDrainMs: 20_000,
    });
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadRouterConfig({
        ROUTER_TOKEN: 'short',
        QUEUE_MAX: '-1',
        ROUTER_PORT: 'http',
        SIDECAR_URLS: 'ftp://x',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['QUEUE_MAX', 'ROUTER_PORT', 'LOG_LEVEL', 'ROUTER_TOKEN', 'SIDECAR_URLS'])
      expect(problems).toContain(name);
  });

  it('checks cross-field rules: token, static URLs, kubernetes namespace, port clash', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadRouterConfig(env);
        return '';
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
    };
    expect(problems({})).toMatch(/ROUTER_TOKEN.*required[\s\S]*SIDECAR_URLS/);
    expect(problems({ ROUTER_TOKEN: 'short', SIDECAR_URLS: 'http://a:1' })).toMatch(/at least 16/);
    for (const bad of [`${token}\n`, `${token.slice(0, 8)} ${token.slice(8)}`, `${token}é`])
      expect(problems({ ROUTER_TOKEN: bad, SIDECAR_URLS: 'http://a:1' })).toMatch(
        /ROUTER_TOKEN=\(hidden\): must be printable ASCII/,
      );
    expect(problems({ ROUTER_TOKEN: `${token}~+/=-._`, SIDECAR_URLS: 'http://a:1' })).toBe('');
    expect(problems({ ROUTER_TOKEN: token, SIDECAR_URLS: 'ftp://x,http://u:p@h:1' })).toMatch(
      /ftp[\s\S]*u:p@h/,
    );
    expect(
      problems({ ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1/signalling,http://b:1/?x=1,http://c:1/' }),
    ).toMatch(/^SIDECAR_URLS: "http:\/\/a:1\/signalling"[^\n]*\nSIDECAR_URLS: "http:\/\/b:1\/\?x=1"[^\n]*$/);
    expect(problems({ ROUTER_TOKEN: token, DISCOVERY: 'kubernetes' })).toMatch(/POD_NAMESPACE/);
    expect(problems({ ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1', METRICS_PORT: '8080' })).toMatch(
      /METRICS_PORT/,
    );
    expect(
      problems({ ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px', ...inCluster }),
    ).toBe('');
  });

  it('refuses kubernetes discovery with no way to reach the API server, naming both ways', () => {
    const kube = { ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px' };
    const noApi =
      'KUBECONFIG=(unset), KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT=(unset): DISCOVERY=kubernetes needs an ' +
      'API server: run in a pod (Kubernetes sets KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT and mounts ' +
      'the service account token) or set KUBECONFIG to a kubeconfig file';
    expect(problemsOf(kube)).toEqual([noApi]);
    // Half the in-cluster pair is not enough; blanks count as unset.
    expect(problemsOf({ ...kube, KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toEqual([noApi]);
    expect(problemsOf({ ...kube, KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: ' ' })).toEqual([noApi]);
    expect(problemsOf({ ...kube, ...inCluster })).toEqual([]);
    expect(problemsOf({ ...kube, KUBECONFIG: '/etc/kube/config' })).toEqual([]);
    // Static discovery needs neither.
    expect(problemsOf({ ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1' })).toEqual([]);
  });

  it('refuses a POD_SELECTOR that is not a label selector, naming each bad term', () => {
    const kube = { ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px', ...inCluster };
    expect(problemsOf({ ...kube, POD_SELECTOR: 'app=streamer, tier in (gpu,cpu), !canary' })).toEqual([]);
    expect(problemsOf({ ...kube, POD_SELECTOR: 'app=streamer,component:streamer,zone in (a' })).toEqual([
      'POD_SELECTOR: "app=streamer,component:streamer,zone in (a": unbalanced or nested parentheses',
    ]);
    expect(problemsOf({ ...kube, POD_SELECTOR: 'app=streamer,component:streamer,tier=gpu_' })).toEqual([
      expect.stringMatching(/^POD_SELECTOR: "component:streamer": label key name "component:streamer"/),
      expect.stringMatching(/^POD_SELECTOR: "tier=gpu_": label value "gpu_"/),
    ]);
    // Listed with every other problem, not instead of them.
    expect(problemsOf({ ...kube, POD_SELECTOR: 'a b', QUEUE_MAX: '-1', ROUTER_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/^QUEUE_MAX="-1"/),
      'ROUTER_TOKEN=(hidden): must be at least 16 characters',
      expect.stringMatching(/^POD_SELECTOR: "a b": not a selector term/),
    ]);
  });

  it("checks ROUTER_HOST with the same rule as the sidecar's *_HOST variables", () => {
    const base = { ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1' };
    for (const host of ['127.0.0.1', '::', 'router.px.svc'])
      expect(loadRouterConfig({ ...base, ROUTER_HOST: host }).host).toBe(host);
    expect(problemsOf({ ...base, ROUTER_HOST: '0.0.0.0:8080' })).toEqual([
      'ROUTER_HOST="0.0.0.0:8080": must be an IP address or a host name, without a port',
    ]);
    expect(problemsOf({ ...base, ROUTER_HOST: 'http://router' })).toEqual([
      'ROUTER_HOST="http://router": must be an IP address or a host name, without a port',
    ]);
  });

  it('reaches the API server exactly the way the check allowed: in-cluster first, else KUBECONFIG', () => {
    const kube = { ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px' };
    expect(loadRouterConfig({ ...kube, ...inCluster }).kubeApi).toEqual({ inCluster: true });
    expect(loadRouterConfig({ ...kube, KUBECONFIG: ' /etc/kube/config ' }).kubeApi).toEqual({
      kubeconfig: '/etc/kube/config',
    });
    expect(loadRouterConfig({ ...kube, ...inCluster, KUBECONFIG: '/etc/kube/config' }).kubeApi).toEqual({
      inCluster: true,
    });
    // Half the in-cluster pair falls back to the file.
    expect(
      loadRouterConfig({ ...kube, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/k' }).kubeApi,
    ).toEqual({ kubeconfig: '/k' });
    expect(
      loadRouterConfig({ ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1', ...inCluster }).kubeApi,
    ).toBeUndefined();
  });

  it('bounds the shutdown delay and drain', () => {
    const base = { ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1' };
    expect(
      loadRouterConfig({ ...base, SHUTDOWN_DELAY_SECONDS: '0', SHUTDOWN_DRAIN_SECONDS: '3600' }),
    ).toMatchObject({
      shutdownDelayMs: 0,
      shutdownDrainMs: 3_600_000,
    });
    expect(problemsOf({ ...base, SHUTDOWN_DELAY_SECONDS: '121', SHUTDOWN_DRAIN_SECONDS: '-1' })).toEqual([
      'SHUTDOWN_DELAY_SECONDS="121": must be ≤ 120',
      'SHUTDOWN_DRAIN_SECONDS="-1": must be ≥ 0',
    ]);
    expect(problemsOf({ ...base, SHUTDOWN_DELAY_SECONDS: '2.5' })).toEqual([
      'SHUTDOWN_DELAY_SECONDS="2.5": must be an integer between 0 and 120',
    ]);
  });
});

describe('router main', () => {
  it('exits 2 listing every problem when the environment is bad', async () => {
    const proc = startNode('router/main.ts', {
      ROUTER_TOKEN: 'short',
      ROUTER_PORT: 'abc',
      DISCOVERY: 'kubernetes',
      POD_NAMESPACE: '',
      SIDECAR_URLS: '',
      KUBECONFIG: '',
      KUBERNETES_SERVICE_HOST: '',
      POD_SELECTOR: 'app=streamer,,x',
    });
    expect(await proc.exited).toBe(2);
    const text = proc.lines.map((l) => l.msg).join('\n');
    expect(text).toContain('ROUTER_PORT="abc"');
    expect(text).toContain('ROUTER_TOKEN');
    expect(text).toContain('POD_NAMESPACE');
    expect(text).toContain('KUBECONFIG=(unset), KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT=(unset)');
    expect(text).toContain('POD_SELECTOR: "": empty term');
  });
});
