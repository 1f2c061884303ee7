// The four listening sockets: player HTTP + WebSocket (any path, same origin as the page), streamer and
// SFU WebSockets, and the metrics endpoint. Upgrades are authenticated here, then handed to the hub.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RESERVATION_QUERY_PARAM } from '../common/index.js';
import { secretMatches } from './http.js';
import {
  attachTransport,
  type Connection,
  type RejectionReason,
  type TransportOptions,
} from './transport.js';
import type { SocketHandlers } from './signalling.js';
import { CodedError } from '../common/index.js';
import { refuseUpgrade } from '../common/upgrade-refusal.js';

export interface SocketRoutes {
  player(conn: Connection, reservationId: string | undefined): SocketHandlers;
  streamer(conn: Connection, kind: 'streamer' | 'sfu'): SocketHandlers;
  refused(
    reason: RejectionReason | 'too_many_sockets',
    role: 'player' | 'streamer' | 'sfu',
    remote: string,
  ): void;
}

export interface ListenOptions {
  maxBytes: number;
  /** Open player sockets beyond this are refused at the upgrade (HTTP 503). */
  maxPlayerSockets: number;
  keepaliveSeconds: number;
  playerRate: TransportOptions['rate'];
  streamerRate: TransportOptions['rate'];
  streamerToken: string | undefined;
}

/** A port that could not be bound, named by its variables so the operator knows what to change. */
export class ListenError extends CodedError<'LISTEN_FAILED'> {
  constructor(message: string) {
    super('LISTEN_FAILED', message);
  }
}

/** Binds `server`; `name` is the variable prefix (PLAYER, STREAMER, SFU, METRICS) used in the error. */
export function listen(server: Server, port: number, host: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error & { code?: string }) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'address already in use'
          : err.code === 'EADDRNOTAVAIL'
            ? 'no such local address'
            : err.code === 'EACCES'
              ? 'permission denied (ports below 1024 need privileges)'
              : err.message;
      reject(new ListenError(`${name}_PORT=${port} on ${name}_HOST=${host}: cannot listen: ${why}`));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function remoteOf(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

/** Authenticated streamer/SFU sockets one port keeps open (a streamer and its reconnects). */
const MAX_STREAMER_PORT_SOCKETS = 8;
/** TCP connections to a streamer port, authenticated or not. */
const MAX_STREAMER_PORT_CONNECTIONS = 16;
/**
 * Queued for a streamer before it is cut. Well above the high-water mark at which the players feeding it
 * are cut (signalling.ts), so a slow streamer loses its players' excess first, not its own socket.
 */
const STREAMER_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** A streamer sends its upgrade at once; anything slower is not one. */
const STREAMER_HEADERS_TIMEOUT_MS = 5_000;

function wsServer(maxBytes: number): WebSocketServer {
  // perMessageDeflate off: compression of small JSON costs more CPU than it saves, and it is a memory-abuse vector.
  return new WebSocketServer({
    noServer: true,
    maxPayload: maxBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });
}

function bind(
  ws: WebSocket,
  remote: string,
  opts: TransportOptions,
  make: (conn: Connection) => SocketHandlers,
): void {
  // The transport needs handlers and the handlers need the connection: bind them through a holder.
  const ref: { handlers?: SocketHandlers } = {};
  const conn = attachTransport(ws, remote, opts, {
    onMessage: (m) => ref.handlers?.onMessage(m),
    onReject: (reason, detail) => ref.handlers?.onReject(reason, detail),
    onClose: (code, reason) => ref.handlers?.onClose(code, reason),
  });
  ref.handlers = make(conn);
}

/** Player HTTP server: the express app plus the player WebSocket on any path. */
export function playerServer(
  app: RequestListener,
  opts: ListenOptions,
  routes: SocketRoutes,
): { server: Server; wss: WebSocketServer } {
  const server = createServer(app);
  const wss = wsServer(opts.maxBytes);
  const transport = {
    maxBytes: opts.maxBytes,
    rate: opts.playerRate,
    keepaliveSeconds: opts.keepaliveSeconds,
    // A player receives offers and candidates: a few of the largest messages is plenty.
    maxBufferedBytes: 4 * opts.maxBytes,
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (wss.clients.size >= opts.maxPlayerSockets) {
      routes.refused('too_many_sockets', 'player', remoteOf(req));
      refuseUpgrade(socket, 503, 'too_many_sockets', 'this sidecar has too many open player sockets');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reservation = url.searchParams.get(RESERVATION_QUERY_PARAM) ?? undefined;
      bind(ws, remoteOf(req), transport, (conn) => routes.player(conn, reservation));
    });
  });
  return { server, wss };
}

/** Streamer or SFU WebSocket server; with a token set, an upgrade without `?token=<it>` gets HTTP 401. */
export function streamerServer(
  kind: 'streamer' | 'sfu',
  opts: ListenOptions,
  routes: SocketRoutes,
): { server: Server; wss: WebSocketServer } {
  const server = createServer(
    {
      headersTimeout: STREAMER_HEADERS_TIMEOUT_MS,
      requestTimeout: 2 * STREAMER_HEADERS_TIMEOUT_MS,
      // Node looks for overdue connections every 30 s by default; a silent socket would live that long.
      connectionsCheckingInterval: 1_000,
    },
    (_req, res) => {
      res
        .writeHead(426, { 'content-type': 'application/json' })
        .end('{"code":"upgrade_required","message":"WebSocket only"}');
    },
  );
  // Slow, silent or malformed: destroyed, not just answered (a half-open client would keep the socket).
  server.on('clientError', (_err, socket) => socket.destroy());
  const wss = wsServer(opts.maxBytes);
  const transport = {
    maxBytes: opts.maxBytes,
    rate: opts.streamerRate,
    keepaliveSeconds: opts.keepaliveSeconds,
    maxBufferedBytes: STREAMER_MAX_BUFFERED_BYTES,
  };
  // One streamer (or SFU) per port; a few more for reconnects and legacy streamers. Connections beyond
  // this are dropped by Node before any byte is read, and a silent one is cut after the header timeout.
  server.maxConnections = MAX_STREAMER_PORT_CONNECTIONS;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const remote = remoteOf(req);
    if (opts.streamerToken !== undefined) {
      // Checked before the upgrade: a caller without the token never gets a WebSocket at all.
      let token: string | undefined;
      try {
        token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
      } catch {
        token = undefined;
      }
      if (!secretMatches(token, opts.streamerToken)) {
        routes.refused('unauthorized', kind, remote);
        refuseUpgrade(socket, 401, 'unauthorized', 'missing or wrong token');
        return;
      }
    }
    if (wss.clients.size >= MAX_STREAMER_PORT_SOCKETS) {
      routes.refused('too_many_sockets', kind, remote);
      refuseUpgrade(
        socket,
        503,
        'too_many_sockets',
        `this port has ${MAX_STREAMER_PORT_SOCKETS} open sockets`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      bind(ws, remote, transport, (conn) => routes.streamer(conn, kind));
    });
  });
  return { server, wss };
}

// Peers get this long to answer our close frames before their sockets are cut.
const CLOSE_GRACE_MS = 1000;

/** Closes a server and every socket it accepted, giving close handshakes a moment to finish. */
export async function closeServer(server: Server, wss?: WebSocketServer): Promise<void> {
  const deadline = Date.now() + CLOSE_GRACE_MS;
  while (wss && wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const ws of wss?.clients ?? []) ws.terminate();
  wss?.close();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
