// The sidecar's outcome counters as a fresh pod's first scrape shows them: every known result at 0, so a
// rate() over them has a first sample before the first reservation or patch.
import { describe, expect, it } from 'vitest';
import { SIDECAR, SIDECAR_POD_PATCH_RESULTS, SIDECAR_RESERVATION_RESULTS } from '../common/index.js';
import { sample } from './test-sidecar.js';
import { SidecarMetrics } from './metrics.js';

describe('SidecarMetrics', () => {
  it('starts every reservation and pod-patch result at 0, then counts each', async () => {
    const metrics = new SidecarMetrics();
    const read = async (name: string, result: string) =>
      sample(await metrics.registry.metrics(), name, `{result="${result}"}`);
    for (const result of SIDECAR_RESERVATION_RESULTS)
      expect(await read(SIDECAR.reservationsTotal, result), result).toBe(0);
    for (const result of SIDECAR_POD_PATCH_RESULTS)
      expect(await read(SIDECAR.podPatchesTotal, result), result).toBe(0);
    metrics.reservations.inc({ result: 'granted' });
    metrics.podPatches.inc({ result: 'error' });
    expect(await read(SIDECAR.reservationsTotal, 'granted')).toBe(1);
    expect(await read(SIDECAR.reservationsTotal, 'expired')).toBe(0);
    expect(await read(SIDECAR.podPatchesTotal, 'error')).toBe(1);
    expect(await read(SIDECAR.podPatchesTotal, 'ok')).toBe(0);
  });
});
