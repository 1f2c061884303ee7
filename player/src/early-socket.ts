// The signalling socket, opened before Epic's frontend has even downloaded: connect.ts (a few hundred bytes,
// loaded ahead of the bundle) opens it and keeps what the server says, and player.ts hands it to the
// frontend's own `new WebSocket(url)` call, replaying the open event and the kept messages, so the
// WebSocket handshake and the server's first messages overlap the bundle's download and start-up. Epic's
// library is not changed: it still creates, owns and reconnects its socket as usual.

/** What connect.ts leaves on `window` for player.ts. */
interface EarlySocket {
  url: string;
  socket: WebSocket;
  /** Messages that arrived before the frontend took the socket over, in order. */
  messages: MessageEvent[];
  adopted: boolean;
}

const KEY = 'pixelstreamEarlySocket';
type Holder = Record<typeof KEY, EarlySocket | undefined>;

/** The signalling URL the page uses: `?ss=` if given, else the origin and directory that served the page. */
export function signallingUrl(loc: Pick<Location, 'protocol' | 'host' | 'pathname' | 'search'>): string {
  const own = `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${loc.pathname.replace(/[^/]*$/, '')}`;
  return new URLSearchParams(loc.search).get('ss') || own;
}

/** connect.ts: opens the socket and keeps every message until the frontend adopts it. */
export function openEarlySocket(url: string): void {
  const early: EarlySocket = { url, socket: new WebSocket(url), messages: [], adopted: false };
  early.socket.addEventListener('message', (e) => {
    if (!early.adopted) early.messages.push(e);
  });
  (window as unknown as Holder)[KEY] = early;
}

/** Gives the frontend what it missed: the open event (if the socket is open) and the kept messages. */
function replay(early: EarlySocket): void {
  const { socket } = early;
  if (socket.readyState === WebSocket.OPEN) socket.onopen?.(new Event('open'));
  for (const m of early.messages.splice(0)) socket.onmessage?.(m);
}

/**
 * The next `new WebSocket(url)` gets the early socket if it asks for the same URL without subprotocols and
 * the socket is still connecting or open; any other call (and every later one) gets a fresh socket, and
 * an early socket nobody adopted is closed. The returned object says whether it was adopted.
 */
export function adoptEarlySocket(): { adopted: boolean } {
  const holder = window as unknown as Holder;
  const early = holder[KEY];
  holder[KEY] = undefined;
  if (!early) return { adopted: false };
  const Native = window.WebSocket;
  function Adopting(url: string | URL, protocols?: string | string[]): WebSocket {
    window.WebSocket = Native;
    const live = early!.socket.readyState === Native.CONNECTING || early!.socket.readyState === Native.OPEN;
    const plain = protocols === undefined || protocols.length === 0;
    if (!live || !plain || String(url) !== early!.url) {
      early!.socket.close();
      return new Native(url, protocols);
    }
    early!.adopted = true;
    // The caller sets its handlers right after construction, in the same task; the replay runs once it has.
    queueMicrotask(() => replay(early!));
    return early!.socket;
  }
  Object.setPrototypeOf(Adopting, Native);
  Adopting.prototype = Native.prototype;
  window.WebSocket = Adopting as unknown as typeof WebSocket;
  return early;
}
