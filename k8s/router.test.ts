// The session router as synthesized from each test .env (k8s/testing/manifests.ts): its env through the
// router's own config loader, a discovery selector that finds exactly the streamer pods, the token and
// port the sidecars hold, probes, replicas, identity and a grace period that covers its graceful stop.
import { describe, expect, it } from 'vitest';
import { COMPONENT_LABEL } from '../common/pod-marks.js';
import { loadRouterConfig } from '../router/index.js';
import { container, envOf, find, has, podLabels, podSpec, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-router-');

describe.each(v.rows)('router (%s)', (_label, s) => {
  const c = s.config;

  it("router Deployment: env the router accepts, a selector that finds the streamer pods, the sidecars' token and port, probes", () => {
    if (!c.ROUTER_ENABLED) {
      expect(has(s, 'Deployment', 'router')).toBe(false);
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
        typeof v === 'string' || v === undefined
          ? v
          : v.secretKeyRef
            ? 'a-router-token-from-the-secret-0123'
            : v.fieldRef?.fieldPath === 'metadata.namespace'
              ? c.NAMESPACE
              : undefined,
      ]),
    );
    const config = loadRouterConfig(resolved);
    expect(config).toMatchObject({ discovery: 'kubernetes', podNamespace: c.NAMESPACE });
    expect(config.queueTimeoutMs).toBe(c.QUEUE_TIMEOUT_SECONDS * 1000);
    // Discovery must find exactly the streamer pods: every selector term is a label of their template.
    const streamer = find(s, 'Deployment', 'streamer');
    const podLabelSet = podLabels(streamer);
    for (const term of config.podSelector.split(',')) {
      const [key, value] = term.split('=');
      expect(podLabelSet[key ?? ''], term).toBe(value);
    }
    expect(config.podSelector).toContain(`${COMPONENT_LABEL}=streamer`);
    // Reservations and player sockets go to the sidecar's player port, with the token the sidecars hold.
    const side = container(streamer, 'signalserver');
    const playerPort = side.ports?.find((x) => x.name === 'player')?.containerPort;
    expect(config.sidecarPlayerPort).toBe(playerPort);
    expect(env.ROUTER_TOKEN).toEqual(envOf(side).ROUTER_TOKEN);
    expect(env.ROUTER_TOKEN).toEqual({
      secretKeyRef: { name: c.ROUTER_TOKEN_SECRET_NAME, key: 'token', optional: false },
    });
    const http = router.ports?.find((x) => x.name === 'http');
    expect(http?.containerPort).toBe(config.port);
    expect(router.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(router.startupProbe).toMatchObject({
      httpGet: router.livenessProbe?.httpGet,
      failureThreshold: 30,
    });
    expect(router.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(d.spec?.replicas).toBe(c.ROUTER_REPLICAS);
    expect(podSpec(d).serviceAccountName).toBe('router');
    expect(podSpec(d).automountServiceAccountToken).toBe(true);
    // The kubelet's SIGKILL must not cut the graceful stop short: the delay while the ingress drops the pod,
    // the drain of piped players, and a few seconds to close sockets and exit.
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    expect(podSpec(d).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      (config.shutdownDelayMs + config.shutdownDrainMs) / 1000 + 5,
    );
  });
});
