import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/index.js';
import { startNode } from '../test/support/processes.js';
import { loadRouterConfig } from './config.js';

const token = 'x'.repeat(32);

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
    expect(problems({ ROUTER_TOKEN: token, DISCOVERY: 'kubernetes', POD_NAMESPACE: 'px' })).toBe('');
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
    });
    expect(await proc.exited).toBe(2);
    const text = proc.lines.map((l) => l.msg).join('\n');
    expect(text).toContain('ROUTER_PORT="abc"');
    expect(text).toContain('ROUTER_TOKEN');
    expect(text).toContain('POD_NAMESPACE');
  });
});
