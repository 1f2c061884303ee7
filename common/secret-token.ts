// Bearer-style secrets a component reads from its environment (ROUTER_TOKEN, STREAMER_TOKEN). One rule for
// all of them, so a value that could never match on the wire stops the process at start-up instead of
// making every authenticated request or connection fail later.

/** Shortest accepted: long enough that guessing is hopeless, short enough for any secret store. */
export const MIN_SECRET_TOKEN_LENGTH = 16;

/** What an HTTP Bearer credential or a `?token=` query value may hold: visible ASCII, no whitespace. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** The rules a set token value breaks, one line each; the value is never echoed. */
export function secretTokenProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.trim().length < MIN_SECRET_TOKEN_LENGTH)
    problems.push(`must be at least ${MIN_SECRET_TOKEN_LENGTH} characters`);
  // Sent in a header or a URL, anything else fails on the sending side or never matches on the receiving one.
  if (!TOKEN_CHARS.test(value))
    problems.push(
      'must be printable ASCII without spaces or line breaks (a trailing newline from a secret file?)',
    );
  return problems;
}
