// The resume ticket: a cookie naming the sidecar and reservation a player holds, signed with a key derived
// from ROUTER_TOKEN. Any replica can verify it, so a player whose router went away resumes through another
// one without shared state. HttpOnly (page scripts never see it), SameSite=Lax (not sent on cross-site
// sub-requests such as another site's WebSocket).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'pxs_session';

export interface SessionTicket {
  /** Sidecar player URL the reservation lives on. */
  sidecarUrl: string;
  reservationId: string;
}

/** Cookies bigger than this are not ours; bounds the work done on hostile headers. */
const MAX_COOKIE_CHARS = 2048;

export class SessionCookies {
  private readonly key: Buffer;

  constructor(routerToken: string) {
    // A derived key, so the cookie signature never reveals anything usable against the reservation API.
    this.key = createHmac('sha256', routerToken).update('pixelstream-router/session-cookie/v1').digest();
  }

  encode(ticket: SessionTicket): string {
    const payload = Buffer.from(JSON.stringify({ u: ticket.sidecarUrl, r: ticket.reservationId })).toString(
      'base64url',
    );
    return `${payload}.${this.sign(payload)}`;
  }

  /** The ticket in a valid cookie value, or undefined (absent, tampered, malformed). */
  decode(value: string | undefined): SessionTicket | undefined {
    if (!value || value.length > MAX_COOKIE_CHARS) return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        u?: unknown;
        r?: unknown;
      };
      if (typeof v.u !== 'string' || typeof v.r !== 'string' || !v.r) return undefined;
      return { sidecarUrl: v.u, reservationId: v.r };
    } catch {
      return undefined;
    }
  }

  /** A Set-Cookie header value. No Max-Age: it lives as long as the browser session; the sidecar's grace
   * period decides whether resuming still works. `secure` when the player reached us over HTTPS. */
  header(ticket: SessionTicket, secure: boolean): string {
    return `${SESSION_COOKIE}=${this.encode(ticket)}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** The value of cookie `name` in a Cookie header (first occurrence), without decoding. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
