// A tiny HTTP exporter serving fixed Prometheus text: the data source for series our own code does not
// produce (dcgm-exporter's GPU fields, kube-state-metrics' HPA/DaemonSet series) in the shape those
// exporters publish. The text can be replaced between scrapes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixedExporter {
  readonly address: string;
  set(text: string): void;
  close(): Promise<void>;
}

export async function startFixedExporter(text: string): Promise<FixedExporter> {
  let body = text;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    set(next) {
      body = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Prometheus exposition lines for `name` with each label set and value. */
export function exposition(name: string, rows: [Record<string, string>, number][]): string {
  return rows
    .map(
      ([labels, v]) =>
        `${name}{${Object.entries(labels)
          .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
          .join(',')}} ${v}`,
    )
    .join('\n');
}
