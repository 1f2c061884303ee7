// The resume ticket: a cookie naming the sidecar and reservation a player holds, encrypted and authenticated
// (AES-256-GCM) with a key derived from ROUTER_TOKEN. Any replica can open it, so a player whose router
// went away resumes through another one without shared state, and the player learns nothing from it: no
// pod address, no reservation id. HttpOnly (page scripts never see it), SameSite=Lax (not sent on
// cross-site sub-requests such as another site's WebSocket).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** The cookie's default name; each pool's routers take their own (SESSION_COOKIE_NAME) on a shared host. */
export const SESSION_COOKIE = 'pxs_session';
/** A cookie name as RFC 6265 allows it, kept to a plain subset. */
export const COOKIE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface SessionTicket {
  /** Sidecar player URL the reservation lives on. */
  sidecarUrl: string;
  reservationId: string;
}

/** Cookies bigger than this are not ours; bounds the work done on hostile headers. */
const MAX_COOKIE_CHARS = 2048;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into the authentication tag: a value encrypted for another purpose never opens as a ticket. */
const AAD = Buffer.from('pixelstream-router/session-cookie/v2');

export class SessionCookies {
  private readonly key: Buffer;

  constructor(
    routerToken: string,
    /** The cookie's name: one per pool, so a browser playing two pools on one host keeps both tickets. */
    readonly name: string = SESSION_COOKIE,
  ) {
    // A derived key, so the cookie never reveals anything usable against the reservation API.
    this.key = createHmac('sha256', routerToken).update('pixelstream-router/session-cookie/v2').digest();
  }

  encode(ticket: SessionTicket): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(AAD);
    const plain = Buffer.from(JSON.stringify({ u: ticket.sidecarUrl, r: ticket.reservationId }));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The ticket in a valid cookie value, or undefined (absent, tampered, malformed, another key). */
  decode(value: string | undefined): SessionTicket | undefined {
    if (!value || value.length > MAX_COOKIE_CHARS || !/^[\w-]+$/.test(value)) return undefined;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES)).setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
      const v = JSON.parse(plain.toString('utf8')) as { u?: unknown; r?: unknown } | null;
      if (!v || typeof v.u !== 'string' || typeof v.r !== 'string' || !v.r) return undefined;
      return { sidecarUrl: v.u, reservationId: v.r };
    } catch {
      return undefined;
    }
  }

  /** A Set-Cookie header value. No Max-Age: it lives as long as the browser session; the sidecar's grace
   * period decides whether resuming still works. `secure` when the player reached us over HTTPS. */
  header(ticket: SessionTicket, secure: boolean): string {
    return `${this.name}=${this.encode(ticket)}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
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
