// Health probe for the container: a STUN Binding request to the local listener must be answered. Used by
// the entrypoint to log readiness and, bundled, as the exec probe (`node probe.js`): a TCP connect alone
// would pass while the UDP side (the one players use) is broken.
import { stunBinding } from './stun-client.js';

/** Resolves with the milliseconds until coturn answered on 127.0.0.1:`port`, or rejects after `timeoutMs`. */
export async function waitUntilAnswering(port: number, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      await stunBinding({ host: '127.0.0.1', port }, { initialTimeoutMs: 100, attempts: 1 });
      return Date.now() - started;
    } catch (err) {
      last = (err as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no STUN answer on 127.0.0.1:${port} within ${timeoutMs} ms: ${last}`);
}
