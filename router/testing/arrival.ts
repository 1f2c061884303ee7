// A test player for the router: a real WebSocket that records what arrives, remembers the resume cookie
// from the 101 response, and can run the signalling steps a browser runs once a pod answers.
import WebSocket from 'ws';

export type Msg = { type: string; [k: string]: unknown };

export class Arrival {
  readonly ws: WebSocket;
  readonly messages: Msg[] = [];
  /** `pxs_session=…` from the handshake response, if the router set one. */
  cookie: string | undefined;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(url: string, cookie?: string) {
    this.ws = new WebSocket(url, cookie ? { headers: { cookie } } : {});
    this.ws.on('upgrade', (res) => {
      const set = res.headers['set-cookie']?.find((c) => c.startsWith('pxs_session='));
      if (set) this.cookie = set.split(';')[0];
    });
    this.ws.on('message', (data, isBinary) => {
      const text = (data as Buffer).toString('utf8');
      let m: Msg;
      try {
        m = JSON.parse(text) as Msg;
      } catch {
        m = { type: isBinary ? '<binary>' : '<text>', text };
      }
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    // A player closed before its handshake finished (a test that is done with it) is not an error of its own.
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  /** First message of `type` (already received or future). */
  waitFor(type: string, timeoutMs = 10_000): Promise<Msg> {
    return this.nth(type, 0, timeoutMs);
  }

  /** The message of `type` at `index` (0 = the first), already received or future; woken by each arrival. */
  private async nth(type: string, index: number, timeoutMs: number): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.filter((x) => x.type === type)[index];
      if (m) return m;
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`closed before "${type}" #${index + 1}; got ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no "${type}" #${index + 1} within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  has(type: string): boolean {
    return this.messages.some((m) => m.type === type);
  }

  count(type: string): number {
    return this.messages.filter((m) => m.type === type).length;
  }

  /** Position in the first queuePosition message, or 0 when it never waited. */
  get firstPosition(): number {
    return (this.messages.find((m) => m.type === 'queuePosition')?.position as number | undefined) ?? 0;
  }

  send(m: Msg): void {
    this.ws.send(JSON.stringify(m));
  }

  /** listStreamers → the ids the pod's sidecar lists; the stand-ins have unique ids, so this names the pod. */
  async streamer(timeoutMs = 10_000): Promise<string> {
    const before = this.count('streamerList');
    this.send({ type: 'listStreamers' });
    const ids = (await this.nth('streamerList', before, timeoutMs)).ids as string[];
    if (ids.length !== 1) throw new Error(`expected one streamer, got ${JSON.stringify(ids)}`);
    return ids[0]!;
  }

  /** Subscribes and waits for the stand-in's offer. */
  subscribe(streamerId: string, timeoutMs = 10_000): Promise<Msg> {
    const before = this.count('offer');
    this.send({ type: 'subscribe', streamerId });
    return this.nth('offer', before, timeoutMs);
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    return this.closed;
  }
}
