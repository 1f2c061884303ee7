// The secret the router and the sidecars share (ROUTER_TOKEN). Both refuse a value that could never work,
// with this one rule (common/secret-token.ts), so a bad secret stops whichever side reads it at start-up
// instead of making every reservation request fail later. The router also signs session cookies with it.
import { secretTokenProblems } from './secret-token.js';

/** Problems with a set ROUTER_TOKEN value, one line each; the value itself is never echoed. */
export function routerTokenProblems(value: string): string[] {
  return secretTokenProblems('ROUTER_TOKEN', value);
}
