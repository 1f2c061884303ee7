// A raw WebSocket upgrade, byte for byte what an attacker's own client sends: no URL normalisation, any
// request target. Collects everything the server answers (status line, headers and unmasked frames).
import net from 'node:net';

export interface RawUpgrade {
  /** Everything received so far, as latin1 text (frames' JSON payloads read as plain text in it). */
  text(): string;
  /** The status code of the answer once it arrived. */
  status(): Promise<number>;
  /** Resolves once `needle` appears in the answer; rejects if the socket closes first. */
  waitFor(needle: string | RegExp, timeoutMs?: number): Promise<void>;
  readonly closed: Promise<void>;
  destroy(): void;
}

export function rawUpgrade(port: number, target: string, headers: Record<string, string> = {}): RawUpgrade {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  const listeners = new Set<() => void>();
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.on('connect', () =>
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    ),
  );
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
    for (const l of listeners) l();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  void closed.then(() => {
    for (const l of listeners) l();
  });
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  const waitFor = (needle: string | RegExp, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const found = () => (typeof needle === 'string' ? text.includes(needle) : needle.test(text));
      const check = () => {
        if (found()) done(resolve);
        else if (isClosed) done(() => reject(new Error(`closed before ${String(needle)}; got ${text}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no ${String(needle)} in ${timeoutMs} ms; got ${text}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });
  return {
    text: () => text,
    status: async () => {
      await waitFor(/^HTTP\/1\.1 \d{3}/);
      return Number(text.slice(9, 12));
    },
    waitFor,
    closed,
    destroy: () => socket.destroy(),
  };
}
