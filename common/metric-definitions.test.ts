// metricDefinitions on a real prom-client registry, read back as Prometheus scrapes it: an outcomes counter
// shows each of its known results at 0 before anything happened, so rate() has a first sample to start from.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricDefinitions } from './metric-definitions.js';

/** The sample lines of `name` in the registry's text exposition. */
async function series(registry: Registry, name: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('metricDefinitions().outcomes', () => {
  it('exposes every known result as a zero series from the first scrape, then counts', async () => {
    const registry = new Registry();
    const counter = metricDefinitions(registry).outcomes('test_outcomes_total', 'outcomes', ['ok', 'error']);
    expect(await series(registry, 'test_outcomes_total')).toEqual([
      'test_outcomes_total{result="ok"} 0',
      'test_outcomes_total{result="error"} 0',
    ]);
    counter.inc({ result: 'error' });
    counter.inc({ result: 'error' });
    expect(await series(registry, 'test_outcomes_total')).toEqual([
      'test_outcomes_total{result="ok"} 0',
      'test_outcomes_total{result="error"} 2',
    ]);
  });

  it('has no series before the first count when it lists no results', async () => {
    const registry = new Registry();
    const counter = metricDefinitions(registry).outcomes('test_outcomes_total', 'outcomes', []);
    expect(await series(registry, 'test_outcomes_total')).toEqual([]);
    counter.inc({ result: 'ok' });
    expect(await series(registry, 'test_outcomes_total')).toEqual(['test_outcomes_total{result="ok"} 1']);
  });
});
