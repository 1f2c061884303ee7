// A minimal TURN client over UDP (RFC 5766 Allocate / CreatePermission / Send / Data with the long-term
// credential mechanism). It lets tests, the benchmark and operators check a coturn deployment — "does this
// credential allocate? is this peer refused?" — without a WebRTC stack in between.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { EventEmitter } from 'node:events';
import {
  Attr,
  Class,
  decodeErrorCode,
  decodeStun,
  decodeXorAddress,
  encodeStun,
  encodeXorAddress,
  getAttr,
  isStun,
  longTermKey,
  Method,
  newTransactionId,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from './stun-message.js';
import { CodedError } from '../common/coded-error.js';

/** A TURN error response (401 unauthorized, 403 forbidden peer, 437 mismatch, 438 stale nonce…). */
export class TurnError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly method: string,
  ) {
    super(`${method} failed: ${code} ${reason}`);
  }
}

/** No response in time: the server is down, unreachable, or silently dropping us. */
export class TurnTimeoutError extends CodedError<'TURN_TIMEOUT'> {
  constructor(message: string) {
    super('TURN_TIMEOUT', message);
  }
}

const METHOD_NAMES: Record<number, string> = { 3: 'Allocate', 4: 'Refresh', 8: 'CreatePermission' };
/** UDP transport protocol number for REQUESTED-TRANSPORT. */
const UDP = 17;

export interface TurnClientOptions {
  server: { host: string; port: number };
  username: string;
  password: string;
  /** Local address to bind (the client's source address). */
  localAddress?: string;
  /** Per-request deadline, retransmitting every 250 ms inside it. */
  timeoutMs?: number;
}

export class TurnClient extends EventEmitter<{ data: [peer: TransportAddress, data: Buffer] }> {
  private readonly socket: Socket;
  private readonly pending = new Map<string, (msg: StunMessage) => void>();
  private realm = '';
  private nonce = '';
  private key: Buffer | undefined;

  private constructor(private readonly opts: TurnClientOptions) {
    super();
    this.socket = createSocket(isIPv6(opts.server.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (buf) => this.onMessage(buf));
    this.socket.on('error', () => undefined); // ICMP errors show up as timeouts of the pending request
  }

  static async open(opts: TurnClientOptions): Promise<TurnClient> {
    const client = new TurnClient(opts);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('error', reject);
      client.socket.bind(0, opts.localAddress ?? (isIPv6(opts.server.host) ? '::' : '0.0.0.0'), () =>
        resolve(),
      );
    });
    return client;
  }

  /** Allocates a UDP relay (IPv4 unless `family` 6, RFC 6156); resolves with the advertised relay address. */
  async allocate(lifetimeSeconds = 600, family: 4 | 6 = 4): Promise<TransportAddress> {
    const lifetime = Buffer.alloc(4);
    lifetime.writeUInt32BE(lifetimeSeconds, 0);
    const res = await this.authed(Method.Allocate, [
      { type: Attr.RequestedTransport, value: Buffer.from([UDP, 0, 0, 0]) },
      { type: Attr.Lifetime, value: lifetime },
      ...(family === 6 ? [{ type: Attr.RequestedAddressFamily, value: Buffer.from([0x02, 0, 0, 0]) }] : []),
    ]);
    const relayed = getAttr(res, Attr.XorRelayedAddress);
    if (!relayed) throw new Error('Allocate success without XOR-RELAYED-ADDRESS');
    return decodeXorAddress(relayed, res.transactionId);
  }

  /** Installs a permission for `peerIp`; rejects with TurnError 403 when coturn refuses the peer. */
  async createPermission(peerIp: string): Promise<void> {
    await this.authed(
      Method.CreatePermission,
      [
        {
          type: Attr.XorPeerAddress,
          value: encodeXorAddress({ address: peerIp, port: 0 }, Buffer.alloc(12)),
        },
      ],
      true,
    );
  }

  /** Sends `data` to `peer` through the relay (a Send indication; needs a permission). */
  send(peer: { address: string; port: number }, data: Buffer): void {
    const transactionId = newTransactionId();
    const msg = encodeStun(
      {
        method: Method.Send,
        cls: Class.Indication,
        transactionId,
        attributes: [
          { type: Attr.XorPeerAddress, value: encodeXorAddress(peer, transactionId) },
          { type: Attr.Data, value: data },
        ],
      },
      { fingerprint: true },
    );
    this.socket.send(msg, this.opts.server.port, this.opts.server.host);
  }

  /** Releases the allocation (Refresh with lifetime 0) and closes the socket. */
  async close(): Promise<void> {
    if (this.key) {
      await this.authed(Method.Refresh, [{ type: Attr.Lifetime, value: Buffer.alloc(4) }]).catch(
        () => undefined,
      );
    }
    this.socket.close();
  }

  private onMessage(buf: Buffer): void {
    if (!isStun(buf)) return;
    let msg: StunMessage;
    try {
      msg = decodeStun(buf);
    } catch {
      return;
    }
    if (msg.method === Method.Data && msg.cls === Class.Indication) {
      const peer = getAttr(msg, Attr.XorPeerAddress);
      const data = getAttr(msg, Attr.Data);
      if (peer && data) this.emit('data', decodeXorAddress(peer, msg.transactionId), Buffer.from(data));
      return;
    }
    this.pending.get(msg.transactionId.toString('hex'))?.(msg);
  }

  /** One request/response exchange with retransmission until `timeoutMs`. */
  private request(method: number, attributes: StunAttribute[], withAuth: boolean): Promise<StunMessage> {
    const transactionId = newTransactionId();
    const auth: StunAttribute[] =
      withAuth && this.key
        ? [
            { type: Attr.Username, value: Buffer.from(this.opts.username) },
            { type: Attr.Realm, value: Buffer.from(this.realm) },
            { type: Attr.Nonce, value: Buffer.from(this.nonce) },
          ]
        : [];
    // XOR-PEER-ADDRESS depends on the transaction id: re-encode it with the real one.
    const attrs = attributes.map((a) =>
      a.type === Attr.XorPeerAddress
        ? {
            type: a.type,
            value: encodeXorAddress(decodeXorAddress(a.value, Buffer.alloc(12)), transactionId),
          }
        : a,
    );
    const bytes = encodeStun(
      { method, cls: Class.Request, transactionId, attributes: [...attrs, ...auth] },
      { integrityKey: withAuth ? this.key : undefined, fingerprint: true },
    );
    const id = transactionId.toString('hex');
    const timeoutMs = this.opts.timeoutMs ?? 3_000;
    return new Promise<StunMessage>((resolve, reject) => {
      const retransmit = setInterval(
        () => this.socket.send(bytes, this.opts.server.port, this.opts.server.host),
        250,
      );
      const deadline = setTimeout(() => {
        finish();
        reject(
          new TurnTimeoutError(
            `${METHOD_NAMES[method] ?? 'request'}: no response from ${this.opts.server.host}:${this.opts.server.port} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearInterval(retransmit);
        clearTimeout(deadline);
        this.pending.delete(id);
      };
      this.pending.set(id, (msg) => {
        finish();
        resolve(msg);
      });
      this.socket.send(bytes, this.opts.server.port, this.opts.server.host);
    });
  }

  /** A request under the long-term mechanism: learn realm/nonce from the 401, refresh a stale nonce. */
  private async authed(
    method: number,
    attributes: StunAttribute[],
    requireAuth = false,
  ): Promise<StunMessage> {
    const name = METHOD_NAMES[method] ?? `method ${method}`;
    if (requireAuth && !this.key) throw new Error(`${name} before Allocate`);
    for (let round = 0; round < 3; round++) {
      const res = await this.request(method, attributes, this.key !== undefined);
      if (res.cls === Class.Success) return res;
      const err = getAttr(res, Attr.ErrorCode);
      const { code, reason } = err ? decodeErrorCode(err) : { code: 0, reason: 'no ERROR-CODE' };
      const realm = getAttr(res, Attr.Realm)?.toString('utf8');
      const nonce = getAttr(res, Attr.Nonce)?.toString('utf8');
      // First 401 (no credentials sent yet) or 438 (stale nonce): retry with the server's realm and nonce.
      const firstChallenge = code === 401 && this.key === undefined;
      if ((firstChallenge || code === 438) && realm !== undefined && nonce !== undefined) {
        this.realm = realm;
        this.nonce = nonce;
        this.key = longTermKey(this.opts.username, realm, this.opts.password);
        continue;
      }
      throw new TurnError(code, reason, name);
    }
    throw new TurnError(401, 'credentials refused after a fresh nonce', name);
  }
}
