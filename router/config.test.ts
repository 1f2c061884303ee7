// The router config: every problem listed at once as exact ConfigError items (and exit 2 from the real
// process), the token, URLs, ROUTER_HOST, Kubernetes settings (no API server, which API source is used,
// bad selector terms) and the shutdown bounds.
import { describe, expect, it } from 'vitest';
import { configItems } from '../common/index.js';
import { block, refusalLines, refusesToStart } from '../test/support/config-refusal.js';
import { loadRouterConfig } from './config.js';

const token = 'x'.repeat(32);
/** What Kubernetes sets in every pod (the API server's Service). */
const inCluster = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
const base = { ROUTER_TOKEN: token, SIDECAR_URLS: 'http://a:1' };
const kube = { ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px' };
const NO_API =
  'DISCOVERY=kubernetes needs an API server: run in a pod (Kubernetes sets KUBERNETES_SERVICE_HOST and ' +
  'KUBERNETES_SERVICE_PORT and mounts the service account token) or set KUBECONFIG to a kubeconfig file';
const NOT_PRINTABLE =
  'must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)';
const NO_PORT = 'must be an IP address or a host name, without a port';
const URLS = 'http://u:p@h:1,http://a:1/signalling,http://b:1/?x=1,http://c:1/';
const NOT_URL = 'is not an http(s)://host:port URL';

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
      playerPageDir: expect.stringMatching(/player[/\\]build$/) as string,
      logLevel: 'info',
      shutdownDelayMs: 5000,
      shutdownDrainMs: 20_000,
      sessionCookieName: 'pxs_session',
    });
  });

  it.each<[string, Record<string, string>, object]>([
    [
      'a token of every printable kind',
      { ...base, ROUTER_TOKEN: `${token}~+/=-._` },
      { token: `${token}~+/=-._` },
    ],
    ['kubernetes discovery in a pod', { ...kube, ...inCluster }, { kubeApi: { inCluster: true } }],
    [
      'kubernetes discovery with a kubeconfig',
      { ...kube, KUBECONFIG: ' /etc/kube/config ' },
      { kubeApi: { kubeconfig: '/etc/kube/config' } },
    ],
    [
      'in-cluster before KUBECONFIG',
      { ...kube, ...inCluster, KUBECONFIG: '/k' },
      { kubeApi: { inCluster: true } },
    ],
    [
      'half the in-cluster pair: the file',
      { ...kube, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/k' },
      { kubeApi: { kubeconfig: '/k' } },
    ],
    ['static discovery, needing no API server', { ...base, ...inCluster }, { kubeApi: undefined }],
    [
      'a label selector with sets and negation',
      { ...kube, ...inCluster, POD_SELECTOR: 'app=streamer, tier in (gpu,cpu), !canary' },
      {},
    ],
    ...['127.0.0.1', '::', 'router.px.svc'].map((host): [string, Record<string, string>, object] => [
      `ROUTER_HOST ${host}`,
      { ...base, ROUTER_HOST: host },
      { host },
    ]),
    [
      'a resume cookie of its own',
      { ...base, SESSION_COOKIE_NAME: 'pxs_session_processor' },
      { sessionCookieName: 'pxs_session_processor' },
    ],
    [
      'the shutdown bounds',
      { ...base, SHUTDOWN_DELAY_SECONDS: '0', SHUTDOWN_DRAIN_SECONDS: '3600' },
      { shutdownDelayMs: 0, shutdownDrainMs: 3_600_000 },
    ],
  ])('accepts %s', (_, env, expected) => {
    expect(loadRouterConfig(env)).toMatchObject(expected);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'every field problem',
      {
        ROUTER_TOKEN: 'short',
        QUEUE_MAX: '-1',
        ROUTER_PORT: 'http',
        SIDECAR_URLS: 'ftp://x',
        LOG_LEVEL: 'loud',
        METRICS_PORT: '8080',
      },
      `
        ROUTER_PORT="http": must be an integer between 0 and 65535
        ROUTER_TOKEN=(hidden): must be at least 16 characters
        LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent
        SIDECAR_URLS="ftp://x": "ftp://x" ${NOT_URL}
        QUEUE_MAX="-1": must be ≥ 0
      `,
    ],
    [
      'a cookie name that would break the Set-Cookie header',
      { ...base, SESSION_COOKIE_NAME: 'pxs;session' },
      `
        SESSION_COOKIE_NAME="pxs;session": must be 1–64 letters, digits, "_" or "-"
      `,
    ],
    [
      'a bad field and a port clash',
      { ...base, QUEUE_MAX: 'x', METRICS_PORT: '8080' },
      `
        QUEUE_MAX="x": must be an integer between 0 and 100000
        METRICS_PORT="8080": must differ from ROUTER_PORT (both 8080)
      `,
    ],
    [
      'nothing set',
      {},
      `
        ROUTER_TOKEN=(unset): required (the same secret the sidecars hold)
        SIDECAR_URLS=(unset): DISCOVERY=static needs a comma list of http://host:port sidecar URLs
      `,
    ],
    ...[`${token}\n`, `${token.slice(0, 8)} ${token.slice(8)}`, `${token}é`].map(
      (bad): [string, Record<string, string>, string] => [
        `the token ${JSON.stringify(bad)}`,
        { ...base, ROUTER_TOKEN: bad },
        `
        ROUTER_TOKEN=(hidden): ${NOT_PRINTABLE}
      `,
      ],
    ),
    [
      'sidecar URLs with credentials, a path or a query',
      { ...base, SIDECAR_URLS: URLS },
      `
        SIDECAR_URLS=${JSON.stringify(URLS)}: "http://u:p@h:1" ${NOT_URL}
        SIDECAR_URLS=${JSON.stringify(URLS)}: "http://a:1/signalling" ${NOT_URL}
        SIDECAR_URLS=${JSON.stringify(URLS)}: "http://b:1/?x=1" ${NOT_URL}
      `,
    ],
    [
      'kubernetes discovery without a namespace or an API server',
      { ROUTER_TOKEN: token, DISCOVERY: 'kubernetes' },
      `
        POD_NAMESPACE=(unset): DISCOVERY=kubernetes needs the namespace to watch (downward API)
        KUBECONFIG=(unset): ${NO_API}
      `,
    ],
    [
      'half the in-cluster pair',
      { ...kube, KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      `
        KUBECONFIG=(unset): ${NO_API}
      `,
    ],
    [
      'a blank KUBECONFIG',
      { ...kube, KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: ' ' },
      `
        KUBECONFIG=" ": ${NO_API}
      `,
    ],
    [
      'a POD_SELECTOR with an unbalanced set',
      { ...kube, ...inCluster, POD_SELECTOR: 'app=streamer,component:streamer,zone in (a' },
      `
        POD_SELECTOR="app=streamer,component:streamer,zone in (a": "app=streamer,component:streamer,zone in (a": unbalanced or nested parentheses
      `,
    ],
    [
      'each bad selector term, with every other problem',
      { ...kube, ...inCluster, POD_SELECTOR: 'a b', QUEUE_MAX: '-1', ROUTER_TOKEN: 'short' },
      `
        ROUTER_TOKEN=(hidden): must be at least 16 characters
        QUEUE_MAX="-1": must be ≥ 0
        POD_SELECTOR="a b": "a b": not a selector term (k=v, k==v, k!=v, k in (a,b), k notin (a,b), k or !k)
      `,
    ],
    ...['0.0.0.0:8080', 'http://router'].map((host): [string, Record<string, string>, string] => [
      `ROUTER_HOST ${host}`,
      { ...base, ROUTER_HOST: host },
      `
        ROUTER_HOST=${JSON.stringify(host)}: ${NO_PORT}
      `,
    ]),
    [
      'shutdown bounds',
      { ...base, SHUTDOWN_DELAY_SECONDS: '121', SHUTDOWN_DRAIN_SECONDS: '-1' },
      `
        SHUTDOWN_DELAY_SECONDS="121": must be ≤ 120
        SHUTDOWN_DRAIN_SECONDS="-1": must be ≥ 0
      `,
    ],
    [
      'a fractional delay',
      { ...base, SHUTDOWN_DELAY_SECONDS: '2.5' },
      `
        SHUTDOWN_DELAY_SECONDS="2.5": must be an integer between 0 and 120
      `,
    ],
  ])('refuses %s, all at once', (_, env, expected) => {
    expect(refusalLines(() => loadRouterConfig(env))).toEqual(block(expected));
  });
  it('keeps a bad field and a cross-field violation as items, the secret hidden', () => {
    const items = configItems(() =>
      loadRouterConfig({ ...base, ROUTER_TOKEN: 'short', METRICS_PORT: '8080' }),
    );
    expect(items).toEqual([
      { key: 'ROUTER_TOKEN', hidden: true, rule: 'must be at least 16 characters' },
      { key: 'METRICS_PORT', value: '8080', rule: 'must differ from ROUTER_PORT (both 8080)' },
    ]);
  });
});

describe('router main', () => {
  it('exits 2 listing every problem when the environment is bad', async () => {
    await refusesToStart(
      'router',
      {
        ROUTER_TOKEN: 'short',
        ROUTER_PORT: 'abc',
        DISCOVERY: 'kubernetes',
        POD_NAMESPACE: '',
        SIDECAR_URLS: '',
        KUBECONFIG: '',
        KUBERNETES_SERVICE_HOST: '',
        POD_SELECTOR: 'app=streamer,,x',
      },
      `
        ROUTER_PORT="abc": must be an integer between 0 and 65535
        ROUTER_TOKEN=(hidden): must be at least 16 characters
        POD_NAMESPACE=(unset): DISCOVERY=kubernetes needs the namespace to watch (downward API)
        KUBECONFIG=(unset): ${NO_API}
        POD_SELECTOR="app=streamer,,x": "": empty term (a stray comma?)
      `,
    );
  });
});
