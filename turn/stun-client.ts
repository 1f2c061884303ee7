// Asks a STUN server for this host's public address: one UDP Binding request, retransmitted with a
// doubling timeout (RFC 5389 §7.2.1, shortened: start-up should fail in seconds, not 39.5 s). A host name
// is resolved first, within the same time budget: the system resolver's own timeouts (5 s per try and
// server in glibc) would otherwise decide how long a pod waits before it says why it cannot start.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  bindingRequest,
  Class,
  decodeErrorCode,
  decodeStun,
  getAttr,
  isStun,
  mappedAddress,
  Attr,
  Method,
  newTransactionId,
  type TransportAddress,
} from './stun-message.js';

export interface StunResult {
  /** The address and port the server saw (the public side of any NAT). */
  mapped: TransportAddress;
  /** The local address the request left from (the private side of a 1:1 NAT). */
  localAddress: string;
}

export interface StunOptions {
  /** First retransmission timeout; doubles on each retry. */
  initialTimeoutMs?: number;
  /** Total requests sent before giving up. */
  attempts?: number;
  /** Resolves the server's host name (default: the system resolver, as every other client here). */
  lookup?: (host: string) => Promise<{ address: string; family: number }>;
  /** Gives up at once when aborted (the process is stopping): rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Resolves `host` or rejects once `budgetMs` has passed or `signal` is aborted, whatever the resolver is
 * still doing.
 */
async function resolveWithin(
  host: string,
  budgetMs: number,
  resolve: (host: string) => Promise<{ address: string; family: number }>,
  signal: AbortSignal | undefined,
): Promise<{ address: string; family: number }> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`DNS lookup of ${host} did not finish within ${budgetMs} ms`)),
      budgetMs,
    );
    onAbort = () => reject(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      resolve(host).catch((err: unknown) => {
        throw new Error(`DNS lookup of ${host} failed: ${(err as Error).message}`);
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Resolves with the mapped address, or rejects with an Error whose message says what happened (with the
 * signal's reason, an AbortError, once `opts.signal` is aborted).
 */
export async function stunBinding(
  server: { host: string; port: number },
  opts: StunOptions = {},
): Promise<StunResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const initial = opts.initialTimeoutMs ?? 500;
  const attempts = opts.attempts ?? 3;
  // The name gets as long as the requests would: the whole wait before every retransmission has run out.
  const budgetMs = initial * (2 ** attempts - 1);
  const target = isIP(server.host)
    ? { address: server.host, family: isIP(server.host) }
    : await resolveWithin(server.host, budgetMs, opts.lookup ?? ((host) => lookup(host)), signal);
  const socket = createSocket(target.family === 6 ? 'udp6' : 'udp4');
  const transactionId = newTransactionId();
  const request = bindingRequest(transactionId);
  let onAbort: (() => void) | undefined;

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(server.port, target.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const localAddress = socket.address().address;
    signal?.throwIfAborted(); // aborted while the socket connected
    return await new Promise<StunResult>((resolve, reject) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      let lastError = '';
      const send = () => {
        if (sent === attempts) {
          reject(
            new Error(
              `no STUN response from ${target.address}:${server.port} after ${attempts} requests${lastError ? ` (${lastError})` : ''}`,
            ),
          );
          return;
        }
        socket.send(request, (err) => {
          if (err) lastError = err.message;
        });
        timer = setTimeout(send, initial * 2 ** sent);
        sent++;
      };
      onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // ICMP port-unreachable surfaces as ECONNREFUSED on a connected socket: remember it, keep retrying.
      socket.on('error', (err) => {
        lastError = err.message;
      });
      socket.on('message', (buf) => {
        if (!isStun(buf)) return;
        let msg;
        try {
          msg = decodeStun(buf);
        } catch {
          return; // A malformed datagram is not our answer; keep waiting for the real one.
        }
        if (msg.method !== Method.Binding || !msg.transactionId.equals(transactionId)) return;
        clearTimeout(timer);
        if (msg.cls === Class.Error) {
          const e = getAttr(msg, Attr.ErrorCode);
          const detail = e ? decodeErrorCode(e) : undefined;
          reject(
            new Error(
              `STUN server answered with error ${detail ? `${detail.code} ${detail.reason}` : '(no ERROR-CODE)'}`,
            ),
          );
          return;
        }
        const mapped = msg.cls === Class.Success ? mappedAddress(msg) : undefined;
        if (!mapped) reject(new Error('STUN response carried no mapped address'));
        else resolve({ mapped, localAddress });
      });
      send();
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    socket.close();
  }
}
