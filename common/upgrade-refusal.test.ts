// refuseUpgrade on a real HTTP server and a raw TCP client: the client reads the status and the coded JSON
// body, and the server closes its socket even though the client keeps its own side open.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { refuseUpgrade } from './upgrade-refusal.js';

let server: Server | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

/** A server refusing every upgrade; `closed` resolves once it has closed the refused socket. */
async function refusingServer(status: number, code: string, message: string) {
  let closed!: () => void;
  const serverSideClosed = new Promise<void>((r) => (closed = r));
  server = createServer();
  server.on('upgrade', (_req, socket: Duplex) => {
    socket.on('close', closed);
    refuseUpgrade(socket, status, code, message);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, closed: serverSideClosed };
}

/** Sends an upgrade request and never ends its own side; resolves with what came back once the server ended. */
function upgrade(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    clients.push(socket);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('end', () => resolve(text));
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

describe('refuseUpgrade', () => {
  it('answers with the status and a coded JSON body, then closes the connection', async () => {
    const { port, closed } = await refusingServer(429, 'rate_limited', 'try again — shortly');
    const reply = await upgrade(port);
    const [head, body] = reply.split('\r\n\r\n');
    const lines = head!.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 429 Too Many Requests');
    expect(lines).toContain('Content-Type: application/json');
    expect(lines).toContain('Connection: close');
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({ code: 'rate_limited', message: 'try again — shortly' });
    // The client still holds its side open: only the server's own destroy closes the socket.
    await closed;
  });
});
