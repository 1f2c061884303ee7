// Table tests of the sidecar config: the documented defaults, and every bad variable listed at once.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/index.js';
import { loadSidecarConfig } from './config.js';

describe('loadSidecarConfig', () => {
  it('has the documented defaults', () => {
    // Every field, so a default that drifts from the README's table fails here.
    const c = loadSidecarConfig({});
    expect(c).toEqual({
      playerPort: 8080,
      playerHost: '0.0.0.0',
      streamerPort: 8888,
      streamerHost: '127.0.0.1',
      sfuPort: 8889,
      sfuHost: '127.0.0.1',
      metricsPort: 9000,
      metricsHost: '0.0.0.0',
      maxPlayersPerStreamer: 1,
      streamerToken: undefined,
      turn: undefined,
      stunUrls: [],
      iceTransportPolicy: 'all',
      drainTimeoutSeconds: 3600,
      routerToken: undefined,
      reservationTtlSeconds: 15,
      resumeGraceSeconds: 60,
      playerPageDir: expect.stringMatching(/player[/\\]build$/) as string,
      logLevel: 'info',
      exitWithParent: false,
      eventsSinkUrl: undefined,
      maxMessageBytes: 262_144,
      maxPlayerSockets: 2000,
      playerRate: { perSecond: 20, burst: 100 },
      streamerRate: { perSecond: 2000, burst: 4000 },
      legacyStreamerIdMs: 2000,
      keepaliveSeconds: 30,
    });
  });

  it('parses TURN settings', () => {
    const c = loadSidecarConfig({
      TURN_SECRET: 'x'.repeat(16),
      TURN_URLS: 'turn:a:3478?transport=udp, turn:a:3478?transport=tcp',
      TURN_TTL_SECONDS: '600',
      ICE_TRANSPORT_POLICY: 'relay',
    });
    expect(c.turn).toEqual({
      secret: 'x'.repeat(16),
      urls: ['turn:a:3478?transport=udp', 'turn:a:3478?transport=tcp'],
      ttlSeconds: 600,
    });
    expect(c.iceTransportPolicy).toBe('relay');
  });

  it('lists every field problem at once', () => {
    try {
      loadSidecarConfig({
        PLAYER_PORT: '99999',
        DRAIN_TIMEOUT_SECONDS: '-1',
        EVENTS_SINK_URL: 'ftp://x',
        ICE_TRANSPORT_POLICY: 'p2p',
        EXIT_WITH_PARENT: 'true',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of [
        'PLAYER_PORT',
        'DRAIN_TIMEOUT_SECONDS',
        'EVENTS_SINK_URL',
        'ICE_TRANSPORT_POLICY',
        'EXIT_WITH_PARENT="true": must be one of 0, 1',
      ])
        expect(problems).toContain(name);
    }
  });

  it('takes IP addresses and host names as bind addresses, and lists every other value', () => {
    const good = {
      PLAYER_HOST: '::',
      STREAMER_HOST: 'localhost',
      SFU_HOST: '10.0.0.7',
      METRICS_HOST: 'pod-a.ns',
    };
    expect(loadSidecarConfig(good)).toMatchObject({
      playerHost: '::',
      streamerHost: 'localhost',
      sfuHost: '10.0.0.7',
      metricsHost: 'pod-a.ns',
    });
    try {
      loadSidecarConfig({
        PLAYER_HOST: '0.0.0.0:8080',
        STREAMER_HOST: 'http://127.0.0.1',
        SFU_HOST: 'two words',
        METRICS_HOST: '-bad-',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(
        [
          'PLAYER_HOST="0.0.0.0:8080"',
          'STREAMER_HOST="http://127.0.0.1"',
          'SFU_HOST="two words"',
          'METRICS_HOST="-bad-"',
        ].map((v) => `${v}: must be an IP address or a host name, without a port`),
      );
    }
  });

  it('refuses reservation limits a sidecar would never grant', () => {
    expect(() =>
      loadSidecarConfig({ RESERVATION_TTL_SECONDS: '600', RESUME_GRACE_SECONDS: '3600' }),
    ).not.toThrow();
    try {
      loadSidecarConfig({ RESERVATION_TTL_SECONDS: '601', RESUME_GRACE_SECONDS: '3601' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('RESERVATION_TTL_SECONDS');
      expect(problems).toContain('RESUME_GRACE_SECONDS');
    }
  });

  it('refuses a whitespace-only secret instead of reading it as unset (auth would turn off)', () => {
    try {
      loadSidecarConfig({ STREAMER_TOKEN: '\n', TURN_SECRET: '  ', ROUTER_TOKEN: '\t' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.filter((p) => p.includes('only whitespace'));
      expect(problems.map((p) => p.split(/[=:]/)[0])).toEqual([
        'STREAMER_TOKEN',
        'TURN_SECRET',
        'ROUTER_TOKEN',
      ]);
    }
    // Empty still means unset, as for every variable.
    expect(
      loadSidecarConfig({ STREAMER_TOKEN: '', TURN_SECRET: '', ROUTER_TOKEN: '' }).streamerToken,
    ).toBeUndefined();
  });

  it('lists every cross-field problem at once', () => {
    try {
      loadSidecarConfig({
        TURN_URLS: 'http://nope',
        ICE_TRANSPORT_POLICY: 'relay',
        PLAYER_PORT: '9000',
        STREAMER_TOKEN: 'short',
        STUN_URLS: 'turn:x',
      });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toEqual([
        'TURN_URLS is set but TURN_SECRET is empty',
        'TURN_URLS item "http://nope" must start with turn: or turns:',
        'STUN_URLS item "turn:x" must start with stun: or stuns:',
        'PLAYER_PORT and METRICS_PORT are both 9000',
        'STREAMER_TOKEN=(hidden): must be at least 16 characters',
      ]);
    }
  });

  it('reports field and cross-field problems together', () => {
    try {
      loadSidecarConfig({ PLAYER_PORT: 'x', TURN_SECRET: 'only-a-secret', ROUTER_TOKEN: 'short' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(/^PLAYER_PORT="x"/) as string,
        'TURN_SECRET: must be at least 16 characters (anyone who guesses it can mint credentials)',
        'TURN_SECRET is set but TURN_URLS is empty',
        'ROUTER_TOKEN=(hidden): must be at least 16 characters',
      ]);
    }
  });

  it('refuses a STREAMER_TOKEN no streamer could present: whitespace, line breaks, non-ASCII (never echoing it)', () => {
    const token = 'streamer-token-0123456789';
    for (const bad of [
      `${token}\n`,
      `${token}\r\n`,
      ` ${token}`,
      `stream ${token}`,
      `${token}\t`,
      `${token}é`,
    ]) {
      try {
        loadSidecarConfig({ STREAMER_TOKEN: bad, PLAYER_PORT: 'x' });
        expect.unreachable(JSON.stringify(bad));
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([
          expect.stringMatching(/^PLAYER_PORT="x"/) as string,
          'STREAMER_TOKEN=(hidden): must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)',
        ]);
      }
    }
    expect(loadSidecarConfig({ STREAMER_TOKEN: `${token}~+/=._` }).streamerToken).toBe(`${token}~+/=._`);
  });

  it('refuses a TURN_SECRET coturn would read differently: a line break or whitespace at either end', () => {
    const secret = 'turn-secret-0123456789';
    const urls = 'turn:192.0.2.10:3478';
    const cases: [string, string][] = [
      [`${secret}\n`, 'TURN_SECRET: must be a single line'],
      [`${secret}\r\n`, 'TURN_SECRET: must be a single line'],
      [` ${secret}`, 'TURN_SECRET: must not start or end with whitespace'],
      [`${secret}\t`, 'TURN_SECRET: must not start or end with whitespace'],
    ];
    for (const [bad, problem] of cases) {
      try {
        loadSidecarConfig({ TURN_SECRET: bad, TURN_URLS: urls });
        expect.unreachable(JSON.stringify(bad));
      } catch (err) {
        const problems = (err as ConfigError).problems;
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(problem);
        expect(problems[0]).not.toContain(secret);
      }
    }
    expect(loadSidecarConfig({ TURN_SECRET: `a ${secret}`, TURN_URLS: urls }).turn?.secret).toBe(
      `a ${secret}`,
    );
  });

  it('refuses the ROUTER_TOKEN the router refuses: whitespace, line breaks, non-ASCII (never echoing it)', () => {
    const token = 'x'.repeat(32);
    for (const bad of [`${token}\n`, `${token.slice(0, 8)} ${token.slice(8)}`, `${token}\t`, `${token}é`]) {
      try {
        loadSidecarConfig({ ROUTER_TOKEN: bad });
        expect.unreachable(JSON.stringify(bad));
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([
          'ROUTER_TOKEN=(hidden): must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)',
        ]);
      }
    }
    expect(loadSidecarConfig({ ROUTER_TOKEN: `${token}~+/=-._` }).routerToken).toBe(`${token}~+/=-._`);
  });
});
