// The NetworkPolicies as synthesized from each test .env (k8s/testing/manifests.ts): the streamer port
// never opened, the player port only from the router (or the entry's proxies), the router only from the
// entry's proxies, metrics only from the monitoring namespace, UDP media from anywhere.
import { describe, expect, it } from 'vitest';
import { COMPONENT_LABEL } from '../common/pod-marks.js';
import { find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-network-');

describe.each(v.rows)('network policies (%s)', (_label, s) => {
  const c = s.config;

  it('NetworkPolicy: streamer port never opened, player port only from router/ingress, metrics only from monitoring', () => {
    const np = find(s, 'NetworkPolicy', 'streamer');
    expect(np.spec?.policyTypes).toEqual(['Ingress']);
    const rules = np.spec?.ingress ?? [];
    const ports = rules.flatMap((r) => (r.ports ?? []).map((p) => p.port)).filter((p) => p !== undefined);
    expect(ports).not.toContain(8888);
    expect(ports).not.toContain('streamer');
    const entryNamespace = c.ENTRY === 'gateway' ? c.GATEWAY_DATAPLANE_NAMESPACE : c.INGRESS_NAMESPACE;
    const entry = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': entryNamespace } } };
    const onPort = (port: string | number) => (r: { ports?: { port?: string | number }[] }) =>
      (r.ports ?? []).some((p) => p.port === port);
    if (c.ROUTER_ENABLED) {
      const routerRules = find(s, 'NetworkPolicy', 'router').spec?.ingress ?? [];
      expect(routerRules.find(onPort('http'))?.from).toEqual([entry]);
    }
    const player = rules.find(onPort('player'));
    expect(player?.from).toEqual(
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
    const metrics = rules.find(onPort('metrics'));
    expect(metrics?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': c.MONITORING_NAMESPACE } } },
    ]);
    // WebRTC media: UDP on any port (no port = all), the only rule open to every source.
    const media = rules.find((r) => (r.ports ?? []).some((p) => p.protocol === 'UDP'));
    expect(media?.ports).toEqual([{ protocol: 'UDP' }]);
    expect(rules).toHaveLength(3);
  });
});
