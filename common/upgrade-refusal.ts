// Refusing a WebSocket upgrade: the router and the sidecar answer a refused upgrade the same way, with an
// HTTP status and a coded JSON body instead of a WebSocket.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './http-errors.js';

/**
 * Answers an upgrade with `status` and `{code, message}` as JSON, then destroys the socket once written: an
 * upgrade socket is out of the HTTP server's hands, so a client that never closes its side would keep it.
 */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
