// Test helper: an in-process sidecar on ephemeral ports with a silent logger, plus the URLs tests need.
import { afterEach } from 'vitest';
import { createLogger } from '../common/index.js';
import { EPHEMERAL_SIDECAR_ENV } from '../test/support/sidecar-env.js';
import { loadSidecarConfig, type SidecarConfig } from './config.js';
import { startSidecar, type Sidecar, type SidecarOptions } from './sidecar.js';

export interface TestSidecar {
  sidecar: Sidecar;
  config: SidecarConfig;
  playerUrl: string;
  streamerUrl: string;
  httpUrl: string;
  metricsUrl: string;
}

export async function startTestSidecar(
  env: Record<string, string> = {},
  options: SidecarOptions = {},
): Promise<TestSidecar> {
  const config = loadSidecarConfig({
    ...EPHEMERAL_SIDECAR_ENV,
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    ...env,
  });
  const sidecar = await startSidecar(
    config,
    createLogger('signalserver', process.env.TEST_SIDECAR_LOGS === '1' ? 'debug' : 'silent'),
    options,
  );
  return {
    sidecar,
    config,
    playerUrl: `ws://127.0.0.1:${sidecar.ports.player}/`,
    streamerUrl: `ws://127.0.0.1:${sidecar.ports.streamer}/`,
    httpUrl: `http://127.0.0.1:${sidecar.ports.player}`,
    metricsUrl: `http://127.0.0.1:${sidecar.ports.metrics}/metrics`,
  };
}

/** Anything a test opened that must be closed before the next test (sockets, clients). */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * For a test file: sidecars started through `start` and everything pushed on `open` are closed after each
 * test, sockets first.
 */
export function sidecarPerTest(): { open: Closable[]; start: typeof startTestSidecar } {
  const open: Closable[] = [];
  const started: Sidecar[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return {
    open,
    async start(env, options) {
      const t = await startTestSidecar(env, options);
      started.push(t.sidecar);
      return t;
    },
  };
}

/** Reads one sample value from a Prometheus text exposition. */
export function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const key = line.slice(0, sp);
    if (key === name + labels || (labels === '' && key === name)) return Number(line.slice(sp + 1));
  }
  return undefined;
}
