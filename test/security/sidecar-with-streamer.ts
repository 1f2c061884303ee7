// A real sidecar process with one stand-in streamer registered on it: the starting point of the abuse
// suite's sidecar tests.
import { startNode, type RunningProcess } from '../../test/support/processes.js';
import { EPHEMERAL_SIDECAR_ENV } from '../../test/support/sidecar-env.js';
import { StreamerStandIn } from '../../test/support/streamer-stand-in.js';

export interface SidecarWithStreamer {
  readonly proc: RunningProcess;
  readonly ports: { playerPort: number; streamerPort: number; metricsPort: number };
  readonly streamer: StreamerStandIn;
}

/** Starts the sidecar with `env` over ephemeral ports, then registers streamer `id` (`query` on its URL). */
export async function startSidecarWithStreamer(
  env: Record<string, string>,
  id: string,
  query = '',
): Promise<SidecarWithStreamer> {
  const proc = startNode('signalserver/main.ts', {
    ...EPHEMERAL_SIDECAR_ENV,
    KEEPALIVE_SECONDS: '0',
    ...env,
  });
  const ports = (await proc.waitFor((l) => l.msg === 'listening')) as unknown as SidecarWithStreamer['ports'];
  const streamer = await StreamerStandIn.start(`ws://127.0.0.1:${ports.streamerPort}/${query}`, {
    id,
    candidates: 0,
  });
  await streamer.registered();
  return { proc, ports, streamer };
}
