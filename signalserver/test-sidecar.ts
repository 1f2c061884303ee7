// Test helper: an in-process sidecar on ephemeral ports with a silent logger, plus the URLs tests need.
import { createLogger } from '../common/index.js';
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

export async function startTestSidecar(env: Record<string, string> = {}, options: SidecarOptions = {}): Promise<TestSidecar> {
  const config = loadSidecarConfig({
    PLAYER_PORT: '0',
    PLAYER_HOST: '127.0.0.1',
    STREAMER_PORT: '0',
    SFU_PORT: '0',
    METRICS_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    ...env,
  });
  const sidecar = await startSidecar(config, createLogger('signalserver', process.env.TEST_SIDECAR_LOGS === '1' ? 'debug' : 'silent'), options);
  return {
    sidecar,
    config,
    playerUrl: `ws://127.0.0.1:${sidecar.ports.player}/`,
    streamerUrl: `ws://127.0.0.1:${sidecar.ports.streamer}/`,
    httpUrl: `http://127.0.0.1:${sidecar.ports.player}`,
    metricsUrl: `http://127.0.0.1:${sidecar.ports.metrics}/metrics`,
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
