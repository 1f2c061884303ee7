// Abuse suite, sidecar: a streamer that stops reading must not let players pile their messages up in the
// sidecar's memory. A real sidecar process, a real streamer socket whose reading is paused (its TCP
// window closes, as with a hung streamer), and a subscribed player sending 250 KiB ICE candidates within
// its rate limit: the player is cut with the coded close, and the streamer, once it reads again, still
// serves the next player.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { CLOSE } from '../../common/index.js';
import { PlayerClient } from '../../test/support/player-client.js';
import type { RunningProcess } from '../../test/support/processes.js';
import type { StreamerStandIn } from '../../test/support/streamer-stand-in.js';
import { startSidecarWithStreamer } from './sidecar-with-streamer.js';

/** The TCP socket under a `ws` client: pausing it stops reading, so the kernel and then the sender fill up. */
const tcp = (ws: WebSocket) => (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

describe('a streamer that stops reading', () => {
  let proc: RunningProcess;
  let streamer: StreamerStandIn;
  let ports: { playerPort: number; streamerPort: number };
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    ({ proc, ports, streamer } = await startSidecarWithStreamer({}, 'slow'));
    open.push(streamer);
  }, 60_000);

  afterAll(async () => {
    for (const c of open) await c.close();
    await proc?.stop();
  });

  it('cuts the player feeding it with 4507 instead of buffering without bound', async () => {
    const player = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    open.push(player);
    await player.subscribeAndWaitOffer('slow');
    tcp(streamer.ws).pause();
    // 100 messages of 250 KiB: the per-connection burst (PLAYER_MESSAGE_BURST), about 25 MB in all.
    const big = `candidate:1 1 udp 1 192.0.2.1 9 typ host ${'x'.repeat(250 * 1024)}`;
    for (let i = 0; i < 100 && player.isOpen; i++) player.candidate(big);
    const closed = await player.closed;
    expect(closed.code).toBe(CLOSE.backlogged);
    expect(closed.reason).toMatch(/streamer is not reading/);
    const line = await proc.waitFor((l) => l.msg === 'refused' && l.reason === 'backlogged');
    expect(line).toMatchObject({ level: 'warn', role: 'player' });
  });

  it('keeps the streamer, which serves the next player once it reads again', async () => {
    tcp(streamer.ws).resume();
    expect(streamer.isOpen).toBe(true);
    const next = await PlayerClient.connect(`ws://127.0.0.1:${ports.playerPort}/`);
    open.push(next);
    expect((await next.subscribeAndWaitOffer('slow', 30_000)).type).toBe('offer');
  });
});
