// The entry's part for a pool on a path prefix (k8s/gateway.ts poolRules): a loopback HTTP proxy that
// strips `/process` before the router sees the request, as HTTPRoute's URLRewrite ReplacePrefixMatch does,
// redirects the bare prefix to its folder, and passes WebSocket upgrades through byte for byte. Host stays
// the player's, as a Gateway keeps it. Anything outside the prefix is another pool's: 404.
import http from 'node:http';
import net from 'node:net';
import { serveOnLoopback, type PortForward } from './port-forward.js';

export type PrefixProxy = PortForward;

/** `/process/x?y` → `/x?y` for prefix `/process/`; undefined outside the prefix. */
function stripped(url: string, prefix: string): string | undefined {
  return url.startsWith(prefix) ? `/${url.slice(prefix.length)}` : undefined;
}

export async function prefixProxy(prefix: string, host: string, port: number): Promise<PrefixProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?') < 0 ? '' : url.slice(url.indexOf('?'));
    if (url.slice(0, url.length - query.length) === prefix.replace(/\/$/, '')) {
      res.writeHead(301, { location: `${prefix}${query}` }).end();
      return;
    }
    const path = stripped(url, prefix);
    if (path === undefined) {
      res.writeHead(404).end();
      return;
    }
    const upstream = http.request({
      host,
      port,
      method: req.method,
      path,
      headers: req.headers,
      agent: false,
    });
    upstream.on('response', (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const path = stripped(req.url ?? '/', prefix);
    if (path === undefined) {
      client.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, host, () => {
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    for (const s of [client, upstream]) s.on('error', () => (client.destroy(), upstream.destroy()));
  });
  return serveOnLoopback(server, sockets);
}
