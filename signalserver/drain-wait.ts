// `GET /drained` on the metrics port: held open until the sidecar is draining with no session left, then
// answered. The GPU app's container uses it as its preStop hook (an httpGet, so the app image needs no
// shell, curl or wget): the kubelet sends the app SIGTERM only once the hook returns, i.e. once the
// player has left or the drain has timed out and the sidecar is closing. It only reads state: a caller
// can never start a drain with it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Path of the wait endpoint (the streamer container's preStop hook in k8s/streamer-pool.ts). */
export const DRAINED_PATH = '/drained';

/** What the endpoint answers: why the wait ended, and the sessions left. */
export interface DrainedAnswer {
  drained: boolean;
  /** `idle`: draining and no session left; `closing`: the sidecar is stopping (drain timeout or second signal). */
  reason: 'idle' | 'closing';
  players: number;
}

export interface DrainState {
  draining(): boolean;
  liveSessions(): number;
}

/** The held requests; `check()` after every status change, `closeAll()` before the listener closes. */
export class DrainWaiters {
  private readonly pending = new Set<ServerResponse>();

  constructor(private readonly state: DrainState) {}

  /** True when `req` was the wait endpoint (answered now or held). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?', 1)[0];
    if (req.method !== 'GET' || path !== DRAINED_PATH) return false;
    if (this.idle()) {
      answer(res, { drained: true, reason: 'idle', players: 0 });
      return true;
    }
    this.pending.add(res);
    res.on('close', () => this.pending.delete(res));
    return true;
  }

  /** Answers every held request once the sidecar is draining and idle. */
  check(): void {
    if (this.pending.size === 0 || !this.idle()) return;
    this.answerAll({ drained: true, reason: 'idle', players: 0 });
  }

  /** Answers every held request: the sidecar is about to close its listeners. */
  closeAll(): void {
    const players = this.state.liveSessions();
    this.answerAll({ drained: players === 0, reason: 'closing', players });
  }

  /** Requests held now. */
  get size(): number {
    return this.pending.size;
  }

  private idle(): boolean {
    return this.state.draining() && this.state.liveSessions() === 0;
  }

  private answerAll(body: DrainedAnswer): void {
    for (const res of this.pending) answer(res, body);
    this.pending.clear();
  }
}

function answer(res: ServerResponse, body: DrainedAnswer): void {
  // 200 in every case: the hook's only job is to return when the app may stop; the body says why.
  res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
}
