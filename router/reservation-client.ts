// HTTP client for the sidecar reservation API (common/reservation-api.ts). Keep-alive connections, a hard
// timeout per request, and every outcome mapped to a small union so the allocator never sees an exception.
import http from 'node:http';
import https from 'node:https';
import { RESERVATIONS_PATH, type Reservation, type ReservationRequest } from '../common/index.js';

export type ReserveOutcome =
  | { kind: 'granted'; reservation: Reservation }
  /** 409: someone else holds the pod (or, for a resume, the reservation is in use). */
  | { kind: 'conflict' }
  /** 404 on a resume: the reservation expired or never existed there. */
  | { kind: 'gone' }
  /** 503 draining: the pod is shutting down. */
  | { kind: 'draining' }
  | { kind: 'failed'; code: ReserveFailure; detail: string };

export type ReserveFailure = 'timeout' | 'unreachable' | 'unauthorized' | 'bad_response';

/** Waits before the second and third try of a failed release. */
const RELEASE_RETRY_MS = [250, 1000];

/** Largest response body read from a sidecar; a reservation is a few hundred bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const AGENT_OPTIONS = { keepAlive: true, maxSockets: 32 };

interface RawResponse {
  status: number;
  body: string;
}

export class ReservationClient {
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  // Made for the first https sidecar URL: sidecars in a cluster speak plain HTTP, and a router that never
  // makes a TLS connection then never loads node:tls (its bundle loads node:https on first use).
  private httpsAgent?: https.Agent;
  private closed = false;

  constructor(
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async reserve(sidecarUrl: string, request: ReservationRequest): Promise<ReserveOutcome> {
    let res: RawResponse;
    try {
      res = await this.send('POST', sidecarUrl, RESERVATIONS_PATH, JSON.stringify(request));
    } catch (err) {
      return failure(err);
    }
    switch (res.status) {
      case 201:
      case 200: {
        const reservation = parseReservation(res.body);
        return reservation
          ? { kind: 'granted', reservation }
          : {
              kind: 'failed',
              code: 'bad_response',
              detail: `unparseable reservation: ${res.body.slice(0, 200)}`,
            };
      }
      case 409:
        return { kind: 'conflict' };
      case 404:
        return { kind: 'gone' };
      case 503:
        return { kind: 'draining' };
      case 401:
      case 403:
        return {
          kind: 'failed',
          code: 'unauthorized',
          detail: `HTTP ${res.status}: ROUTER_TOKEN differs from the sidecar's`,
        };
      default:
        return {
          kind: 'failed',
          code: 'bad_response',
          detail: `HTTP ${res.status}: ${res.body.slice(0, 200)}`,
        };
    }
  }

  /**
   * Releases a reservation; 'gone' when the sidecar no longer has it (already expired or released). A
   * release that times out or cannot connect is tried again: one lost release would keep the pod from
   * every player for the whole resume grace.
   */
  async release(sidecarUrl: string, id: string): Promise<'released' | 'gone' | 'failed'> {
    let result = await this.releaseOnce(sidecarUrl, id);
    for (const delayMs of RELEASE_RETRY_MS) {
      if (result !== 'no_answer' || this.closed) break;
      await new Promise((r) => setTimeout(r, delayMs).unref());
      result = await this.releaseOnce(sidecarUrl, id);
    }
    return result === 'no_answer' ? 'failed' : result;
  }

  /** One DELETE; `no_answer` (timed out, unreachable) is worth another try, an HTTP refusal is not. */
  private async releaseOnce(
    sidecarUrl: string,
    id: string,
  ): Promise<'released' | 'gone' | 'failed' | 'no_answer'> {
    try {
      const res = await this.send('DELETE', sidecarUrl, `${RESERVATIONS_PATH}/${encodeURIComponent(id)}`);
      if (res.status === 204 || res.status === 200) return 'released';
      if (res.status === 404) return 'gone';
      return 'failed';
    } catch {
      return 'no_answer';
    }
  }

  close(): void {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }

  private send(method: string, base: string, path: string, body?: string): Promise<RawResponse> {
    const url = new URL(path, base);
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        url,
        {
          method,
          headers,
          agent: isHttps ? (this.httpsAgent ??= new https.Agent(AGENT_OPTIONS)) : this.httpAgent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES)
              req.destroy(Object.assign(new Error('response too large'), { code: 'ETOOBIG' }));
            else chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      // One deadline for the whole exchange, not just socket idleness: a sidecar that trickles bytes is as
      // useless to a waiting player as a silent one.
      const deadline = setTimeout(
        () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
        this.timeoutMs,
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
      req.on('close', () => clearTimeout(deadline));
      req.end(body);
    });
  }
}

function failure(err: unknown): ReserveOutcome {
  const code = (err as { code?: string }).code;
  const detail = err instanceof Error ? `${code ?? ''} ${err.message}`.trim() : String(err);
  if (code === 'ETIMEDOUT') return { kind: 'failed', code: 'timeout', detail };
  if (code === 'ETOOBIG') return { kind: 'failed', code: 'bad_response', detail };
  return { kind: 'failed', code: 'unreachable', detail };
}

function parseReservation(body: string): Reservation | undefined {
  try {
    const v = JSON.parse(body) as Partial<Reservation> | null;
    if (!v || typeof v.id !== 'string' || v.id.length === 0 || v.id.length > 200) return undefined;
    return {
      id: v.id,
      expiresAt: typeof v.expiresAt === 'number' ? v.expiresAt : 0,
      state: v.state === 'claimed' || v.state === 'resumable' ? v.state : 'waiting',
      streamerId: typeof v.streamerId === 'string' ? v.streamerId : null,
    };
  } catch {
    return undefined;
  }
}
