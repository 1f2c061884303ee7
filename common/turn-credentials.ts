// Time-limited TURN credentials (the "TURN REST API" scheme coturn implements with use-auth-secret):
// username = "<unix expiry>:<peer id>", credential = base64(HMAC-SHA1(secret, username)). One module for
// the sidecar (players and streamers) and the TURN tests, so the maths cannot differ between them.
import { createHmac } from 'node:crypto';
import type { IceServer } from './protocol.js';

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix seconds after which coturn refuses the credential. */
  expiresAt: number;
}

/** Shortest accepted TURN secret: anyone who guesses it can mint credentials. */
export const MIN_TURN_SECRET_LENGTH = 16;

/**
 * Problems with a set TURN_SECRET, one line each, never echoing it. coturn trims whitespace around its config
 * values, so a secret with a line break or an edge space would differ from the sidecars' copy and every
 * credential they issue would be refused — silently, as retried 401s.
 */
export function turnSecretProblems(secret: string): string[] {
  const problems: string[] = [];
  if (secret.length < MIN_TURN_SECRET_LENGTH)
    problems.push(
      `must be at least ${MIN_TURN_SECRET_LENGTH} characters (anyone who guesses it can mint credentials)`,
    );
  if (/[\r\n]/.test(secret)) problems.push('must be a single line');
  else if (secret.trim() !== secret)
    problems.push(
      'must not start or end with whitespace (coturn drops it, so every credential issued here would be refused)',
    );
  return problems;
}

/** Computes the credential for `peerId`, valid `ttlSeconds` from `nowMs`. */
export function turnCredential(
  secret: string,
  peerId: string,
  ttlSeconds: number,
  nowMs = Date.now(),
): TurnCredential {
  if (!secret) throw new Error('TURN secret must not be empty');
  if (!(ttlSeconds > 0)) throw new Error('TURN credential TTL must be positive');
  // coturn splits the username at the first ':'; a ':' in the id would still work, but keep it readable.
  const safeId = peerId.replace(/[^A-Za-z0-9._-]/g, '_');
  const expiresAt = Math.floor(nowMs / 1000) + Math.floor(ttlSeconds);
  const username = `${expiresAt}:${safeId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/** True when `credential` is what the secret gives for `username` and it has not expired at `nowMs`. */
export function verifyTurnCredential(
  secret: string,
  username: string,
  credential: string,
  nowMs = Date.now(),
): boolean {
  const expiry = Number(username.split(':', 1)[0]);
  if (!Number.isFinite(expiry) || expiry * 1000 <= nowMs) return false;
  return createHmac('sha1', secret).update(username).digest('base64') === credential;
}

/** ICE server entries for a peer: STUN/TURN URLs sharing one credential. */
export function turnIceServers(
  urls: string[],
  secret: string,
  peerId: string,
  ttlSeconds: number,
  nowMs = Date.now(),
): IceServer[] {
  if (urls.length === 0) return [];
  const { username, credential } = turnCredential(secret, peerId, ttlSeconds, nowMs);
  return [{ urls, username, credential }];
}
