// Turns coturn's plain-text log lines into leveled, coded events. coturn only reports authentication and
// peer refusals in its verbose mode, and then at the same level as every successful request; operators need
// the opposite: failures at warn with a stable code (a wrong TURN_SECRET shows up as TURN_AUTH_REJECTED for
// every player, an expired credential says so), routine session traffic at debug. Pure: one line in, one
// event out.

export type CoturnLevel = 'debug' | 'info' | 'warn' | 'error';

export interface CoturnEvent {
  level: CoturnLevel;
  code?: 'TURN_AUTH_REJECTED' | 'TURN_PEER_REFUSED' | 'TURN_REQUEST_FAILED';
  /** Extra structured fields (user, reason, peer, range, request, status). */
  fields: Record<string, string | number>;
  /** The line without coturn's uptime/pid prefix. */
  text: string;
}

const REQUEST =
  /^session (\S+): realm <([^>]*)> user <([^>]*)>: incoming packet (\S+) processed, (?:success|error (\d+): (.*))$/;
const DENIED = /^ERROR: A peer IP (\S+) denied in the range: (\S+)/;

/** Strips coturn's "<uptime>: (<pid>): " prefix (our logger stamps time and pid itself). */
export function stripPrefix(line: string): string {
  return line.replace(/^\d+:\s*(?:\(\d+\):\s*)?:?\s*/, '').trim();
}

/** Why a REST-API username was refused: its expiry has passed, or the HMAC did not match. */
function authReason(user: string, nowSeconds: number): { cause: 'expired' | 'mismatch'; reason: string } {
  const expiry = Number(user.split(':', 1)[0]);
  if (Number.isFinite(expiry) && expiry > 0 && expiry <= nowSeconds)
    return { cause: 'expired', reason: 'credential expired' };
  return { cause: 'mismatch', reason: 'credential does not match TURN_SECRET (or is malformed)' };
}

export function classifyCoturnLine(
  raw: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): CoturnEvent | undefined {
  const text = stripPrefix(raw);
  if (!text) return undefined;
  const req = REQUEST.exec(text);
  if (req) {
    const [, session = '', realm = '', user = '', request = '', status, reason = ''] = req;
    if (status === undefined) return { level: 'debug', fields: { session, user, request }, text };
    const code = Number(status);
    // Every allocation starts with an anonymous request answered 401 (the challenge), and nonces go stale
    // (438): both are the protocol working, not failures.
    if ((code === 401 && user === '') || code === 438)
      return { level: 'debug', fields: { session, request, status: code }, text };
    if (code === 401) {
      return {
        level: 'warn',
        code: 'TURN_AUTH_REJECTED',
        fields: { session, realm, user, request, ...authReason(user, nowSeconds) },
        text,
      };
    }
    // The 403 itself is logged by the DENIED line just before it, with the peer and the matching range.
    if (code === 403 && /Forbidden IP/i.test(reason))
      return { level: 'debug', fields: { session, user, request, status: code }, text };
    return {
      level: 'warn',
      code: 'TURN_REQUEST_FAILED',
      fields: { session, user, request, status: code, reason },
      text,
    };
  }
  const denied = DENIED.exec(text);
  if (denied)
    return {
      level: 'warn',
      code: 'TURN_PEER_REFUSED',
      fields: { peer: denied[1] ?? '', range: denied[2] ?? '' },
      text,
    };
  if (text.startsWith('session ')) return { level: /closed/.test(text) ? 'info' : 'debug', fields: {}, text };
  // coturn's own line for every refused credential; the 401 line after it becomes the coded, rate-limited
  // TURN_AUTH_REJECTED warning, so this one must not add an unlimited error per retry.
  if (text.startsWith('ERROR: check_stun_auth:')) return { level: 'debug', fields: {}, text };
  if (/^(?:ERROR|CONFIG ERROR)|cannot|Cannot/.test(text)) return { level: 'error', fields: {}, text };
  return { level: 'info', fields: {}, text };
}
