// The security headers of every server that serves the player page (the sidecar and the router): helmet's,
// with its Content-Security-Policy less `upgrade-insecure-requests`. On plain HTTP from any address but
// loopback (Compose on a LAN host, an entry without TLS) that directive sends every script of the page to
// https:// and nothing plays; behind TLS it has nothing to upgrade, as the page loads only its own origin.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

type Directives = Record<string, string[]>;

/** helmet with the page's policy: helmet's defaults, `directives` added, no upgrade-insecure-requests. */
export function pageSecurityHeaders(directives: Directives = {}): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } },
  });
}
