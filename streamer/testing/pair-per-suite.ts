// For end-to-end suites around one sidecar + reference streamer pair: started before a describe block's
// first test, stopped after its last.
import { afterAll, beforeAll } from 'vitest';
import { startPair, type Pair } from './stack.js';

/** Registers the hooks; `streamerEnv` and `sidecarEnv` as for startPair. Read `pair` inside a test. */
export function pairPerSuite(
  streamerEnv: Record<string, string> = {},
  sidecarEnv: Record<string, string> = {},
): { readonly pair: Pair } {
  let pair: Pair | undefined;
  beforeAll(async () => {
    pair = await startPair(streamerEnv, sidecarEnv);
  });
  afterAll(async () => {
    await pair?.stop();
  });
  return {
    get pair() {
      if (!pair) throw new Error('no pair yet: read it inside a test');
      return pair;
    },
  };
}
