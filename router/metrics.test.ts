// The router's allocation counter as a fresh replica's first scrape shows it: every result at 0, so the
// dashboards' and alerts' rate() over it has a first sample before the first player arrives.
import { describe, expect, it } from 'vitest';
import { ROUTER, ROUTER_ALLOCATION_RESULTS } from '../common/index.js';
import { RouterMetrics } from './metrics.js';
import { sample } from './testing/stack.js';

describe('RouterMetrics', () => {
  it('starts every allocation result at 0, then counts each', async () => {
    const metrics = new RouterMetrics(false);
    const count = async (result: string) =>
      sample(await metrics.registry.metrics(), `${ROUTER.allocationsTotal}{result="${result}"}`);
    for (const result of ROUTER_ALLOCATION_RESULTS) expect(await count(result)).toBe(0);
    metrics.count('rejected');
    expect(await count('rejected')).toBe(1);
    expect(await count('assigned')).toBe(0);
  });
});
