// Where the native send path (srtp-send.ts) writes a player's packets: the UDP socket, address and port of
// the player's nominated ICE pair. A plain UDP pair sends to the player; a TURN relay pair sends to the
// TURN server as ChannelData on werift's bound channel for the player (RFC 8656 §12), from the TURN
// client's own socket. Anything else (TCP or TLS to the TURN server, a server known only by name, a peer
// with no channel bound yet) has no target, and werift's path sends it.
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';

// The parts of werift's candidate pair and TURN client this reads. Plain properties at run time.
interface UdpTransportInternals {
  closed?: boolean;
  socket?: { type?: string };
}
interface TurnClientInternals {
  server: [string, number];
  transport: UdpTransportInternals;
  channelByAddr: Record<string, { number: number; refreshAt: number } | undefined>;
}
export interface PairInternals {
  remoteAddr: [string, number];
  protocol: { type: string; transport?: UdpTransportInternals; turn?: TurnClientInternals };
}

export interface SendTarget {
  socket: Socket;
  address: string;
  port: number;
  /** The TURN channel number, or 0 for a plain UDP pair. */
  turnChannel: number;
  /** Whether packets may still go this way at `nowSeconds`: the socket is open, and a TURN channel is bound. */
  usable(nowSeconds: number): boolean;
  /** Whether the socket has closed (what was batched for it must not be sent: its descriptor may be reused). */
  closed(): boolean;
}

const udpSocket = (t: UdpTransportInternals | undefined): Socket | undefined =>
  t?.socket && (t.socket.type === 'udp4' || t.socket.type === 'udp6')
    ? (t.socket as unknown as Socket)
    : undefined;

/** The UDP socket of a pair that is plain UDP to an IP address (not TURN, TCP or a name), or null. */
const directSockets = new WeakMap<PairInternals, Socket | null>();
export function directSocket(pair: PairInternals): Socket | null {
  let socket = directSockets.get(pair);
  if (socket === undefined) {
    socket =
      (pair.protocol.type === 'stun' && isIP(pair.remoteAddr[0]) && udpSocket(pair.protocol.transport)) ||
      null;
    directSockets.set(pair, socket);
  }
  return socket;
}

/** The target of `pair` now, or null where the native path cannot send for it. */
export function sendTarget(pair: PairInternals): SendTarget | null {
  const { protocol, remoteAddr } = pair;
  if (protocol.type === 'stun') {
    const socket = directSocket(pair);
    const transport = protocol.transport;
    if (!socket) return null;
    return {
      socket,
      address: remoteAddr[0],
      port: remoteAddr[1],
      turnChannel: 0,
      usable: () => !transport?.closed,
      closed: () => transport?.closed === true,
    };
  }
  const turn = protocol.type === 'turn' ? protocol.turn : undefined;
  const socket = udpSocket(turn?.transport);
  if (!turn || !socket || !isIP(turn.server[0])) return null;
  const key = JSON.stringify(remoteAddr);
  const channel = turn.channelByAddr[key];
  if (!channel) return null;
  const [address, port] = turn.server;
  return {
    socket,
    address,
    port,
    turnChannel: channel.number,
    // A binding about to lapse goes through werift, which refreshes it; so does a moved server or a new
    // channel number (both make a new target).
    usable: (now) =>
      !turn.transport.closed &&
      channel.refreshAt > now &&
      turn.channelByAddr[key] === channel &&
      turn.server[0] === address &&
      turn.server[1] === port,
    closed: () => turn.transport.closed === true,
  };
}
