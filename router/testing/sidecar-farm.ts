// A test and benchmark fixture: several real sidecars in one process (startSidecar), each with a real
// streamer stand-in registered under a unique id, so a player can tell from `streamerList` which pod it
// reached. Logs one JSON line per sidecar status change, which tests use to check that no pod ever holds
// two players or two reservations. Env: FARM_SIZE, FARM_FIRST (first index), ROUTER_TOKEN,
// RESERVATION_TTL_SECONDS, RESUME_GRACE_SECONDS, FARM_QUIET=1 (no status lines; benchmarks), and
// FARM_PLAYER_PORT: every sidecar on that one port, each on its own loopback address 127.0.1.<index+1>, the
// way pods share a port on different IPs (Kubernetes discovery tests). FARM_DIE_AFTER_GRANT=1: the whole
// process kills itself (SIGKILL) right after its first reservation grant is answered — a pod dying between
// reservation and player socket. FARM_MAX_PLAYER_SOCKETS: each sidecar's MAX_PLAYER_SOCKETS.
import { createLogger } from '../../common/index.js';
import { loadSidecarConfig, startSidecar, type Sidecar } from '../../signalserver/index.js';
import { StreamerStandIn } from '../../test/support/streamer-stand-in.js';

const size = Number(process.env.FARM_SIZE ?? '5');
const first = Number(process.env.FARM_FIRST ?? '0');
const quiet = process.env.FARM_QUIET === '1';
const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const sidecars: Sidecar[] = [];
const standIns: StreamerStandIn[] = [];
const list: Array<{ index: number; url: string; streamerId: string }> = [];

for (let i = first; i < first + size; i++) {
  const sharedPort = process.env.FARM_PLAYER_PORT;
  const host = sharedPort ? `127.0.1.${i + 1}` : '127.0.0.1';
  const config = loadSidecarConfig({
    PLAYER_PORT: sharedPort ?? '0',
    PLAYER_HOST: host,
    STREAMER_PORT: '0',
    SFU_PORT: '0',
    METRICS_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    PLAYER_PAGE_DIR: '/nonexistent-player-page',
    ROUTER_TOKEN: process.env.ROUTER_TOKEN ?? '',
    RESERVATION_TTL_SECONDS: process.env.RESERVATION_TTL_SECONDS ?? '15',
    RESUME_GRACE_SECONDS: process.env.RESUME_GRACE_SECONDS ?? '60',
    // Benchmarks drive thousands of sessions through one process; the per-socket limit is not under test.
    PLAYER_MESSAGES_PER_SECOND: '1000',
    KEEPALIVE_SECONDS: '0',
    ...(process.env.FARM_MAX_PLAYER_SOCKETS
      ? { MAX_PLAYER_SOCKETS: process.env.FARM_MAX_PLAYER_SOCKETS }
      : {}),
  });
  const sidecar = await startSidecar(
    config,
    createLogger('signalserver', process.env.FARM_SIDECAR_LOGS === '1' ? 'info' : 'silent'),
  );
  const streamerId = `s${i}`;
  const standIn = await StreamerStandIn.start(`ws://127.0.0.1:${sidecar.ports.streamer}/`, {
    id: streamerId,
    candidates: 1,
  });
  await standIn.registered();
  if (process.env.FARM_DIE_AFTER_GRANT === '1') {
    sidecar.on('change', (s) => {
      // setImmediate: the 201 is written in the same tick as the grant; die right after it left.
      if (s.reserved && s.players === 0) setImmediate(() => process.kill(process.pid, 'SIGKILL'));
    });
  }
  if (!quiet) {
    sidecar.on('change', (s) =>
      out({
        msg: 'sidecar status',
        index: i,
        players: s.players,
        reserved: s.reserved,
        allocated: s.allocated,
      }),
    );
  }
  sidecars.push(sidecar);
  standIns.push(standIn);
  list.push({ index: i, url: `http://${host}:${sidecar.ports.player}`, streamerId });
}
const stop = () => {
  for (const s of standIns) s.ws.terminate();
  void Promise.all(sidecars.map((s) => s.close())).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Announced after the handlers: whoever reads this line may signal us at once.
out({ msg: 'farm ready', sidecars: list });
