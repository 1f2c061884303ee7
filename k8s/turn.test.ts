// TURN as synthesized from each test .env (k8s/testing/manifests.ts): host networking with cluster DNS,
// the TURN pool only, the UDP+TCP listener and metrics port, env from the config and from the node, the one
// capability, the STUN probe, and the PodMonitor that scrapes it.
import { describe, expect, it } from 'vitest';
import { container, envOf, find, podSpec, testVariants } from './testing/manifests.js';
import { TURN_PROBE_COMMAND } from './turn.js';

const v = testVariants('k8s-turn-');

describe.each(v.rows)('TURN (%s)', (_label, s) => {
  const c = s.config;

  it('TURN DaemonSet: host network with cluster DNS, TURN pool only, UDP+TCP listener, secret and node name injected', () => {
    const ds = find(s, 'DaemonSet', 'turn');
    const pod = podSpec(ds);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const [labelKey, labelValue] = c.TURN_POOL_LABEL.split('=');
    expect(pod.nodeSelector).toEqual({ [labelKey ?? '']: labelValue });
    if (c.TURN_POOL_TAINT !== 'none')
      expect(pod.tolerations).toEqual([
        { key: 'app.pixel/turn', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      ]);
    else expect(pod.tolerations).toEqual([]);
    const coturn = container(pod, 'coturn');
    expect(coturn.ports).toEqual([
      { name: 'turn-udp', containerPort: c.TURN_LISTEN_PORT, hostPort: c.TURN_LISTEN_PORT, protocol: 'UDP' },
      { name: 'turn-tcp', containerPort: c.TURN_LISTEN_PORT, hostPort: c.TURN_LISTEN_PORT, protocol: 'TCP' },
      {
        name: 'metrics',
        containerPort: c.TURN_EXPORTER_PORT,
        hostPort: c.TURN_EXPORTER_PORT,
        protocol: 'TCP',
      },
    ]);
    const env = envOf(coturn);
    expect(env).toMatchObject({
      TURN_MIN_PORT: String(c.TURN_MIN_PORT),
      TURN_MAX_PORT: String(c.TURN_MAX_PORT),
      TURN_LISTEN_PORT: String(c.TURN_LISTEN_PORT),
    });
    // hostNetwork: the exporter binds the node's own IP (the pod IP the PodMonitor scrapes), not 0.0.0.0.
    expect(env.TURN_EXPORTER_PORT).toBe(String(c.TURN_EXPORTER_PORT));
    expect(env.TURN_EXPORTER_HOST).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'status.hostIP' } });
    expect(env.TURN_ALLOWED_PEER_CIDRS).toBe(c.TURN_ALLOWED_PEER_CIDRS.join(','));
    expect(env.NODE_NAME).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } });
    expect(env.TURN_SECRET).toEqual({
      secretKeyRef: { name: c.TURN_SECRET_NAME, key: 'secret', optional: false },
    });
    // The image's turnserver has a file capability: always in the bounding set (or exec fails), and
    // no_new_privs off only where a port below 1024 needs it (turn/low-port.e2e.test.ts).
    expect(coturn.securityContext).toMatchObject({
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      allowPrivilegeEscalation: c.TURN_LISTEN_PORT < 1024,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(coturn.livenessProbe?.exec?.command).toEqual([...TURN_PROBE_COMMAND]);
    expect(coturn.startupProbe).toMatchObject({ exec: coturn.livenessProbe?.exec, failureThreshold: 30 });
    expect(coturn.readinessProbe?.exec?.command).toEqual([...TURN_PROBE_COMMAND]);
    const podMonitor = find(s, 'PodMonitor', 'turn');
    expect(podMonitor.spec.selector.matchLabels).toEqual(ds.spec?.selector.matchLabels);
    expect(podMonitor.spec.podMetricsEndpoints?.[0]?.port).toBe('metrics');
  });
});
