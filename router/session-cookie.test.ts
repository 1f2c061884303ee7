import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SessionCookies, readCookie } from './session-cookie.js';

const cookies = new SessionCookies('a-router-token-of-some-length');
const ticket = { sidecarUrl: 'http://10.1.2.3:8080', reservationId: '6c1b0a52-8d0e-4c47-a3f9-0b8e2b3c9d11' };

describe('session cookie', () => {
  it('round-trips a ticket', () => {
    expect(cookies.decode(cookies.encode(ticket))).toEqual(ticket);
  });

  it('reveals neither the pod address nor the reservation id', () => {
    const value = cookies.encode(ticket);
    for (const form of [value, Buffer.from(value, 'base64url').toString('latin1')]) {
      expect(form).not.toContain('10.1.2.3');
      expect(form).not.toContain(ticket.reservationId);
    }
    // A fresh IV each time: two cookies for the same ticket share nothing an observer could match.
    expect(cookies.encode(ticket)).not.toBe(value);
  });

  it('is rejected when signed with another token', () => {
    const other = new SessionCookies('another-router-token-entirely');
    expect(cookies.decode(other.encode(ticket))).toBeUndefined();
  });

  it('is rejected when any character of it changes', () => {
    const value = cookies.encode(ticket);
    fc.assert(
      fc.property(fc.nat({ max: value.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (i, ch) => {
        fc.pre(value[i] !== ch);
        const tampered = value.slice(0, i) + ch + value.slice(i + 1);
        // A base64url character's spare low bits may not change the decoded signature; the payload
        // still decodes to the same ticket then, which is harmless.
        const decoded = cookies.decode(tampered);
        expect(decoded === undefined || JSON.stringify(decoded) === JSON.stringify(ticket)).toBe(true);
      }),
    );
  });

  it('never throws on hostile values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (s) => void cookies.decode(s)));
    expect(cookies.decode('x'.repeat(5000))).toBeUndefined();
    expect(cookies.decode('.')).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Lax, Path=/ and Secure only over HTTPS', () => {
    const plain = cookies.header(ticket, false);
    expect(plain).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; HttpOnly; SameSite=Lax$`));
    expect(cookies.header(ticket, true)).toMatch(/; Secure$/);
  });

  it("takes its pool's own name and reads only that cookie", () => {
    const processing = new SessionCookies('a-router-token-of-some-length', 'pxs_session_processor');
    const header = processing.header(ticket, false);
    expect(header).toMatch(/^pxs_session_processor=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const value = readCookie(`${SESSION_COOKIE}=other; ${header.split(';')[0]}`, processing.name);
    expect(processing.decode(value)).toEqual(ticket);
  });

  it('is found among other cookies', () => {
    expect(readCookie(`a=1; ${SESSION_COOKIE}=abc.def; b=2`, SESSION_COOKIE)).toBe('abc.def');
    expect(readCookie('a=1', SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(undefined, SESSION_COOKIE)).toBeUndefined();
  });
});
