// The simulated metrics path must wait for the same adapter relist as the deployed prometheus-adapter, or
// the simulator would tune for a cluster that reacts at another speed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ADAPTER_RELIST_SECONDS } from '../common/hpa-behavior.js';
import { DEFAULT_MODEL } from './model.js';

const ADAPTER_VALUES = fileURLToPath(new URL('../support/prometheus-adapter.values.yaml', import.meta.url));

/** A Go duration as the adapter's flag takes it (`30s`, `1m`, `1m30s`, `2h`), in seconds. */
function goDurationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`not a duration: ${text}`);
  const unit = { h: 3600, m: 60, s: 1 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

describe('adapter relist interval', () => {
  it('the simulator relists as often as the deployed prometheus-adapter', () => {
    const values = parse(readFileSync(ADAPTER_VALUES, 'utf8')) as { metricsRelistInterval?: unknown };
    expect(typeof values.metricsRelistInterval).toBe('string');
    const deployed = goDurationSeconds(values.metricsRelistInterval as string);
    expect(DEFAULT_MODEL.adapterRelistSeconds).toBe(deployed);
    expect(ADAPTER_RELIST_SECONDS).toBe(deployed);
  });

  it('reads Go durations', () => {
    expect([
      goDurationSeconds('30s'),
      goDurationSeconds('1m'),
      goDurationSeconds('1m30s'),
      goDurationSeconds('2h'),
    ]).toEqual([30, 60, 90, 7200]);
    expect(() => goDurationSeconds('30')).toThrow();
  });
});
