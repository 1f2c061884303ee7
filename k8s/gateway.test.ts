// The Gateway API entry (ENTRY=gateway) as synthesized from each test .env (k8s/testing/manifests.ts): the
// kit's own Gateway with cert-manager TLS or an existing parent, the HTTPRoute with long standard timeouts
// to the router (or the pods), the HTTPS redirect; and the shipped ACME issuers answering through it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { all, find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-gateway-');

describe.each(v.rows)('gateway (%s)', (_label, s) => {
  const c = s.config;

  it('Gateway API (ENTRY=gateway): Gateway with cert-manager TLS or an existing parent, HTTPRoute with long timeouts', () => {
    const routes = all(s, 'HTTPRoute');
    const gateways = all(s, 'Gateway');
    if (c.ENTRY !== 'gateway') {
      expect([...routes, ...gateways]).toEqual([]);
      return;
    }
    const route = find(s, 'HTTPRoute', 'pixelstream');
    expect(route.spec.hostnames).toEqual([c.INGRESS_HOST]);
    const [rule, ...otherRules] = route.spec.rules ?? [];
    expect(otherRules).toEqual([]);
    expect(rule?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    // The standard timeouts, long enough for a session's signalling socket (Gateway API duration syntax).
    const timeout = { '86400': '24h', '0': '0s', none: undefined }[c.ENTRY_TIMEOUT_SECONDS];
    expect(rule?.timeouts).toEqual(
      timeout === undefined ? undefined : { request: timeout, backendRequest: timeout },
    );
    const backend = c.ROUTER_ENABLED ? { name: 'router', port: 80 } : { name: 'streamer', port: 8080 };
    expect(rule?.backendRefs).toEqual([backend]);
    const svc = find(s, 'Service', backend.name);
    expect(svc.spec?.ports?.map((p) => p.port)).toContain(backend.port);
    if (c.GATEWAY_PARENT !== '') {
      // Attached to someone else's Gateway: no Gateway of our own, no redirect route.
      expect(gateways).toEqual([]);
      expect(routes).toHaveLength(1);
      const [ns, name] = c.GATEWAY_PARENT.split('/');
      expect(route.spec.parentRefs).toEqual([
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          namespace: ns,
          name,
          ...(c.GATEWAY_LISTENER === '' ? {} : { sectionName: c.GATEWAY_LISTENER }),
        },
      ]);
      return;
    }
    const gw = find(s, 'Gateway', 'pixelstream');
    expect(gw.spec.gatewayClassName).toBe(c.GATEWAY_CLASS);
    const listeners = gw.spec.listeners;
    const http = listeners.find((l) => l.name === 'http');
    expect(http).toMatchObject({ protocol: 'HTTP', port: 80, hostname: c.INGRESS_HOST });
    if (c.TLS_ISSUER === 'none') {
      expect(listeners).toHaveLength(1);
      expect(gw.metadata?.annotations).toBeUndefined();
      expect(route.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'http' }]);
      return;
    }
    // cert-manager's Gateway support: the issuer annotation and an HTTPS listener naming the Secret it fills.
    expect(gw.metadata?.annotations).toEqual({ 'cert-manager.io/cluster-issuer': c.TLS_ISSUER });
    expect(listeners.find((l) => l.name === 'https')).toEqual({
      name: 'https',
      protocol: 'HTTPS',
      port: 443,
      hostname: c.INGRESS_HOST,
      allowedRoutes: { namespaces: { from: 'Same' } },
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: c.TLS_SECRET_NAME }] },
    });
    expect(route.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'https' }]);
    // Plain HTTP only redirects (ACME HTTP-01 challenges get cert-manager's own, more specific route).
    const redirect = find(s, 'HTTPRoute', 'pixelstream-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ name: 'pixelstream', sectionName: 'http' }]);
    expect(redirect.spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ]);
  });
});

/** The parts of a cert-manager ACME ClusterIssuer the test reads (its HTTP-01 solver's Gateway parent). */
const acmeIssuer = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    acme: z.object({
      solvers: z
        .array(
          z.object({
            http01: z.object({ gatewayHTTPRoute: z.object({ parentRefs: z.array(z.unknown()) }) }),
          }),
        )
        .min(1),
    }),
  }),
});

describe('support/misc/issuer.yaml', () => {
  it("answers HTTP-01 through the default Gateway's plain-HTTP listener, for the default TLS_ISSUER", () => {
    const defaults = v.of('.env.example');
    const text = readFileSync(join(import.meta.dirname, '..', 'support', 'misc', 'issuer.yaml'), 'utf8');
    const issuers = text.split(/^---$/m).map((d) => acmeIssuer.parse(parse(d)));
    expect(issuers.map((i) => i.metadata.name)).toContain(defaults.config.TLS_ISSUER);
    const gw = find(defaults, 'Gateway', 'pixelstream');
    for (const issuer of issuers)
      expect(issuer.spec.acme.solvers[0]?.http01.gatewayHTTPRoute.parentRefs).toEqual([
        { kind: 'Gateway', name: gw.metadata?.name, namespace: gw.metadata?.namespace, sectionName: 'http' },
      ]);
  });
});
