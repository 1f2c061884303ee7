// The request plumbing of the thin Kubernetes API server stand-ins (the one fake the tests accept): a
// loopback HTTP server that reads each request whole and hands it, JSON body parsed, to the test's own
// handler; JSON replies; and a close that also ends connections a handler left hanging. What the API
// answers, and the checks of each request's path, verb, headers and body, stay in the tests.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the API server received it. */
export interface ApiRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** The JSON body (its text when it is not JSON); undefined when there is none. */
  body: unknown;
}

export class FakeKubeApi {
  private readonly server: Server;

  constructor(handle: (req: ApiRequest, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        handle(
          {
            method: req.method ?? '',
            url: req.url ?? '',
            contentType: req.headers['content-type'],
            authorization: req.headers.authorization,
            body: text === '' ? undefined : parseJson(text),
          },
          res,
        );
      });
    });
  }

  /** Listens on an ephemeral loopback port; resolves with the base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Answers with `body` as JSON. */
export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
