// A real HTTP CloudEvents sink on loopback for tests: every structured event POSTed to it is kept, with
// the request's content type.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EventSink {
  /** The URL to give as EVENTS_SINK_URL. */
  url: string;
  events: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startEventSink(): Promise<EventSink> {
  const events: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      events.push({
        contentType: req.headers['content-type'],
        ...(JSON.parse(body) as Record<string, unknown>),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    events,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
