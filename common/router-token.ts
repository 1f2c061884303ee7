// The secret the router and the sidecars share (ROUTER_TOKEN). Both refuse a value that could never work,
// with this one rule (common/secret-token.ts), so a bad secret stops whichever side reads it at start-up
// instead of making every reservation request fail later. The router also signs session cookies with it.
import { secretTokenProblems } from './secret-token.js';

/** The rules a set ROUTER_TOKEN value breaks, one line each; the value itself is never echoed. */
export function routerTokenProblems(value: string): string[] {
  return secretTokenProblems(value);
}
