// `kubectl port-forward` for the runner's pods: a TCP listener on 127.0.0.1 piping each connection to the
// pod's address. Browsers treat a loopback origin as trustworthy, as they treat the HTTPS origin an
// ingress gives players; a plain-HTTP page on the pod's own address is neither (its CSP then upgrades
// every request to HTTPS, which the pod does not serve).
import net from 'node:net';

export interface PortForward {
  port: number;
  close(): Promise<void>;
}

export async function portForward(podIP: string, podPort: number): Promise<PortForward> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(podPort, podIP);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  return serveOnLoopback(server, sockets);
}

/** Listens on 127.0.0.1 (a free port); `close` destroys the open `sockets` and stops the server. */
export async function serveOnLoopback(server: net.Server, sockets: Set<net.Socket>): Promise<PortForward> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
