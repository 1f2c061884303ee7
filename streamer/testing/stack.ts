// A real sidecar + reference streamer pair as child processes, for end-to-end tests and the benchmark.
import { startNode, type RunningProcess } from '../../test/support/processes.js';

export interface Pair {
  sidecar: RunningProcess;
  streamer: RunningProcess | undefined;
  playerPort: number;
  streamerPort: number;
  metricsPort: number;
  /** The player page URL on this pair's sidecar. */
  url: string;
  startStreamer(env?: Record<string, string>): Promise<RunningProcess>;
  stop(): Promise<void>;
}

/** The sidecar on ephemeral ports; then the streamer unless `streamerEnv` is null. */
export async function startPair(
  streamerEnv: Record<string, string> | null = {},
  sidecarEnv: Record<string, string> = {},
  host = '127.0.0.1',
): Promise<Pair> {
  const sidecar = startNode('signalserver/main.ts', {
    PLAYER_PORT: '0',
    PLAYER_HOST: host,
    STREAMER_PORT: '0',
    SFU_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...sidecarEnv,
  });
  const listening = await sidecar.waitFor((l) => l.msg === 'listening', 20_000);
  const pair: Pair = {
    sidecar,
    streamer: undefined,
    playerPort: Number(listening.playerPort),
    streamerPort: Number(listening.streamerPort),
    metricsPort: Number(listening.metricsPort),
    url: `http://${host}:${Number(listening.playerPort)}/`,
    async startStreamer(env = {}) {
      const s = startNode('streamer/main.ts', {
        STREAMER_URL: `ws://127.0.0.1:${pair.streamerPort}`,
        STREAM_WIDTH: '640',
        STREAM_HEIGHT: '360',
        LOG_LEVEL: 'info',
        ...(sidecarEnv.STREAMER_TOKEN ? { STREAMER_TOKEN: sidecarEnv.STREAMER_TOKEN } : {}),
        ...env,
      });
      pair.streamer = s;
      await s.waitFor((l) => l.msg === 'registered', 30_000);
      return s;
    },
    async stop() {
      await pair.streamer?.stop();
      await sidecar.stop();
    },
  };
  if (streamerEnv !== null) await pair.startStreamer(streamerEnv);
  return pair;
}

/** Reads one sample from the sidecar's Prometheus text (first series of `name`). */
export async function metric(pair: Pair, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${pair.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * Waits until a player that joined after the streamer's `since`-th log line has an open data channel, and
 * returns its player id. Epic's frontend drops input it cannot send yet, and the first video frame can
 * arrive before the data channel opens; the frontend's RequestInitialSettings, its answer to the Protocol
 * message the streamer sends on open, is the first sign that input will get through.
 */
export async function inputChannelOpen(
  streamer: RunningProcess,
  since: number,
  timeoutMs = 15_000,
): Promise<string> {
  const line = await streamer.waitFor(
    (l) =>
      l.msg === 'input' && l.inputType === 'RequestInitialSettings' && streamer.lines.indexOf(l) >= since,
    timeoutMs,
  );
  return String(line.playerId);
}
