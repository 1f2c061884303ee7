// The secret the router and the sidecars share (ROUTER_TOKEN). Both refuse a value that could never work,
// with this one rule, so a bad secret stops whichever side reads it at start-up instead of making every
// reservation request fail later.

/** Shortest accepted: the router signs session cookies with it as well as authorising reservations. */
const MIN_ROUTER_TOKEN_LENGTH = 16;

/** What an HTTP Bearer credential may hold: visible ASCII, no whitespace. */
const BEARER_CHARS = /^[\x21-\x7e]+$/;

/** Problems with a set ROUTER_TOKEN value, one line each; the value itself is never echoed. */
export function routerTokenProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.trim().length < MIN_ROUTER_TOKEN_LENGTH)
    problems.push(`ROUTER_TOKEN=(hidden): must be at least ${MIN_ROUTER_TOKEN_LENGTH} characters`);
  // It travels in an Authorization header: anything else fails locally on the sending side (the router reads
  // that as every sidecar being unreachable) or never matches on the receiving side.
  if (!BEARER_CHARS.test(value))
    problems.push(
      'ROUTER_TOKEN=(hidden): must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)',
    );
  return problems;
}
