// Is this HTTP request a WebSocket upgrade we will serve? Checked before any pod is reserved, so garbage
// upgrades cost nothing but a 400 and a log line. Pure.
import type { IncomingMessage } from 'node:http';

export type UpgradeProblem = { code: 'bad_upgrade'; status: 400 | 405 | 414; message: string };

/** Longest request target accepted; real player URLs are short. */
const MAX_URL_CHARS = 2048;
const KEY_RE = /^[+/0-9A-Za-z]{22}==$/;

export function checkUpgrade(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
): UpgradeProblem | undefined {
  if (req.method !== 'GET')
    return { code: 'bad_upgrade', status: 405, message: 'WebSocket upgrades use GET' };
  const url = req.url ?? '';
  if (url.length > MAX_URL_CHARS)
    return { code: 'bad_upgrade', status: 414, message: 'request target too long' };
  if (!url.startsWith('/'))
    return { code: 'bad_upgrade', status: 400, message: 'request target must be a path' };
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
    return { code: 'bad_upgrade', status: 400, message: 'Upgrade header must be websocket' };
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY_RE.test(key.trim()))
    return { code: 'bad_upgrade', status: 400, message: 'missing or malformed Sec-WebSocket-Key' };
  if (req.headers['sec-websocket-version'] !== '13')
    return { code: 'bad_upgrade', status: 400, message: 'Sec-WebSocket-Version must be 13' };
  return undefined;
}

/**
 * The path and query to use upstream: the player's own (Epic's frontend may carry options there), minus
 * any `reservation` parameter it tried to smuggle in, plus the one the router holds.
 */
export function upstreamTarget(playerUrl: string, param: string, reservationId: string): string {
  const u = new URL(playerUrl, 'http://router.invalid');
  u.searchParams.delete(param);
  u.searchParams.append(param, reservationId);
  return `${u.pathname}${u.search}`;
}
