// Is this HTTP request a WebSocket upgrade we will serve? Checked before any pod is reserved, so garbage
// upgrades cost nothing but a 400 and a log line. And the sidecar URL a player's socket is piped to: the
// pod's own origin plus the player's normalised path, so no request target can name another host. Pure.
import type { IncomingMessage } from 'node:http';
import { hasControlChar } from '../common/index.js';

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
  if (!url.startsWith('/') || !playerPath(url))
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

const LOCAL = 'http://router.invalid';

/**
 * The player's path and query, normalised: dot segments resolved and runs of slashes collapsed, so the
 * path can never read as `//host`. Undefined for anything that is not a plain origin-relative target.
 */
export function playerPath(playerUrl: string): { pathname: string; search: string } | undefined {
  // No controls, spaces or backslashes (a second path separator to some parsers) in any target of ours.
  if (!playerUrl.startsWith('/') || hasControlChar(playerUrl) || /[ \\]/.test(playerUrl)) return undefined;
  let u: URL;
  try {
    u = new URL(playerUrl, LOCAL);
  } catch {
    return undefined;
  }
  // `//host/…` is a network-path reference: it names another host, never a path on ours.
  if (u.origin !== LOCAL) return undefined;
  return { pathname: u.pathname.replace(/\/{2,}/g, '/'), search: u.search };
}

/**
 * The sidecar WebSocket URL for a player: the endpoint's scheme, host and port (discovery's, never the
 * player's), the player's normalised path and query (Epic's frontend may carry options there) minus any
 * `reservation` parameter it tried to smuggle in, plus the one the router holds. Undefined when the
 * player's target is not a plain path.
 */
export function upstreamUrl(
  endpointUrl: string,
  playerUrl: string,
  param: string,
  reservationId: string,
): URL | undefined {
  const path = playerPath(playerUrl);
  if (!path) return undefined;
  const base = new URL(endpointUrl);
  const target = new URL(base.href);
  target.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  // Assigning the parts (never resolving a string against a base) cannot move the host.
  target.pathname = path.pathname;
  target.search = path.search;
  target.searchParams.delete(param);
  target.searchParams.append(param, reservationId);
  target.hash = '';
  return target.host === base.host ? target : undefined;
}
