// Test helper: an in-process sidecar on ephemeral ports with a silent logger, plus the URLs tests need.
import { afterEach, expect } from 'vitest';
import { createLogger } from '../common/index.js';
import { PlayerClient, type SignallingClient } from '../test/support/player-client.js';
import { EPHEMERAL_SIDECAR_ENV } from '../test/support/sidecar-env.js';
import { StreamerStandIn, type StreamerOptions } from '../test/support/streamer-stand-in.js';
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

/** A player connected to `t`; pushed on `open` so the test's clean-up closes it. */
export async function connectPlayer(t: TestSidecar, open: Closable[]): Promise<PlayerClient> {
  const player = await PlayerClient.connect(t.playerUrl);
  open.push(player);
  return player;
}

/**
 * A stand-in streamer registered as `id` (no ICE candidates unless `options` ask) and a player subscribed
 * to it that has received its offer; both pushed on `open`.
 */
export async function playerSession(
  t: TestSidecar,
  open: Closable[],
  id: string,
  options: Omit<StreamerOptions, 'id'> = {},
): Promise<{ streamer: StreamerStandIn; player: PlayerClient }> {
  const streamer = await StreamerStandIn.start(t.streamerUrl, { id, candidates: 0, ...options });
  open.push(streamer);
  await streamer.registered();
  const player = await connectPlayer(t, open);
  await player.subscribeAndWaitOffer(id);
  return { streamer, player };
}

/**
 * The next `playerConnected` a streamer-side client receives, checked to be exactly what protocol 1.3.0
 * sends (a data channel, not an SFU); returns the player id it names.
 */
export async function nextPlayerConnected(streamer: SignallingClient): Promise<string> {
  const connected = await streamer.next('playerConnected');
  expect(connected).toEqual({
    type: 'playerConnected',
    playerId: expect.any(String) as string,
    dataChannel: true,
    sfu: false,
  });
  return connected.playerId as string;
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
