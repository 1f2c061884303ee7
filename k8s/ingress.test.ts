// The Ingress (ENTRY=ingress) as synthesized from each test .env (k8s/testing/manifests.ts): class, standard
// fields only unless the class is ingress-nginx's, the TLS issuer, the backend (router, or the pods).
import { describe, expect, it } from 'vitest';
import { all, find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-ingress-');

describe.each(v.rows)('ingress (%s)', (_label, s) => {
  const c = s.config;

  it('Ingress (ENTRY=ingress): class, standard fields only unless the class is nginx, TLS issuer, backend', () => {
    if (c.ENTRY !== 'ingress') {
      expect(all(s, 'Ingress')).toEqual([]);
      return;
    }
    const ing = find(s, 'Ingress', 'pixelstream');
    expect(ing.spec?.ingressClassName).toBe(c.INGRESS_CLASS);
    const ann = ing.metadata?.annotations ?? {};
    // ingress-nginx annotations only for its own class; the Ingress works on any controller without them.
    const nginx = Object.keys(ann).filter((k) => k.startsWith('nginx.ingress.kubernetes.io/'));
    if (c.INGRESS_CLASS === 'nginx') {
      expect(Number(ann['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
      expect(Number(ann['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    } else expect(nginx).toEqual([]);
    const rule = ing.spec?.rules?.[0];
    expect(rule?.host).toBe(c.INGRESS_HOST);
    expect(rule?.http?.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix' });
    const backend = rule?.http?.paths[0]?.backend.service;
    if (c.ROUTER_ENABLED) expect(backend).toEqual({ name: 'router', port: { name: 'http' } });
    else expect(backend).toEqual({ name: 'streamer', port: { name: 'player' } });
    if (c.TLS_ISSUER === 'none') {
      expect(ing.spec?.tls).toBeUndefined();
      expect(ann['cert-manager.io/cluster-issuer']).toBeUndefined();
    } else {
      expect(ann['cert-manager.io/cluster-issuer']).toBe(c.TLS_ISSUER);
      expect(ing.spec?.tls).toEqual([{ hosts: [c.INGRESS_HOST], secretName: c.TLS_SECRET_NAME }]);
    }
  });
});
