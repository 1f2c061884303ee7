// Starts real router and sidecar-farm processes for the end-to-end tests and the benchmark.
import { startNode, type LogLine, type RunningProcess } from '../../test/support/processes.js';

export const TOKEN = 'router-test-token-0123456789abcdef';

export interface FarmSidecar {
  index: number;
  url: string;
  streamerId: string;
}

export interface Farm {
  proc: RunningProcess;
  sidecars: FarmSidecar[];
}

/** One farm process per entry of `sizes`, indices numbered across all of them. */
export async function startFarms(sizes: number[], env: Record<string, string> = {}): Promise<Farm[]> {
  let first = 0;
  const farms = sizes.map((size) => {
    const proc = startNode('router/testing/sidecar-farm.ts', {
      ROUTER_TOKEN: TOKEN,
      FARM_SIZE: String(size),
      FARM_FIRST: String(first),
      ...env,
    });
    first += size;
    return proc;
  });
  return Promise.all(
    farms.map(async (proc) => {
      const ready = await proc.waitFor((l) => l.msg === 'farm ready', 60_000);
      return { proc, sidecars: ready.sidecars as FarmSidecar[] };
    }),
  );
}

export interface RouterProc {
  proc: RunningProcess;
  port: number;
  metricsPort: number;
  url: string;
}

export async function startRouterProc(
  sidecarUrls: string[],
  env: Record<string, string> = {},
): Promise<RouterProc> {
  const proc = startNode('router/main.ts', {
    ROUTER_PORT: '0',
    METRICS_PORT: '0',
    ROUTER_HOST: '127.0.0.1',
    ROUTER_TOKEN: TOKEN,
    SIDECAR_URLS: sidecarUrls.join(','),
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    QUEUE_POLL_MS: '200',
    // Tests stop routers often; the graceful delay and drain are exercised in shutdown.e2e.test.ts.
    SHUTDOWN_DELAY_SECONDS: '0',
    SHUTDOWN_DRAIN_SECONDS: '0',
    // Tests and the benchmark stand in for many players from one address; the abuse suite sets the bound.
    CLIENT_ATTEMPTS_PER_SECOND: '0',
    ...env,
  });
  const l = await proc.waitFor((x) => x.msg === 'listening', 30_000);
  const port = l.port as number;
  return { proc, port, metricsPort: l.metricsPort as number, url: `ws://127.0.0.1:${port}/` };
}

export async function scrape(metricsPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

/** One sample from a Prometheus text exposition (exact series key). */
export function sample(text: string, key: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    if (line.slice(0, sp) === key) return Number(line.slice(sp + 1));
  }
  return undefined;
}

/** The farms' status lines: the highest player count and reservation state any sidecar ever reported. */
export function statusLines(farms: Farm[]): LogLine[] {
  return farms.flatMap((f) => f.proc.lines.filter((l) => l.msg === 'sidecar status'));
}
