// Declares the kit's Prometheus metrics on one registry, one line each: the sidecar, the router and the TURN
// entrypoint give a name from metric-names.ts, a help text and, where they have them, label names or
// histogram buckets. Each component keeps a registry of its own so several can share one process.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MetricDefinitions {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /**
   * A counter of outcomes by their `result` label (the kit's convention for success/failure counts). Each of
   * `results` starts as a zero series, so rate() and increase() work from the first scrape, before it happens.
   */
  outcomes(name: string, help: string, results: readonly string[]): Counter<'result'>;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets: number[]): Histogram;
}

/** Metric constructors that register everything they make on `registry`. */
export function metricDefinitions(registry: Registry): MetricDefinitions {
  const registers = [registry];
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers }),
    outcomes: (name, help, results) => {
      const counter = new Counter({ name, help, labelNames: ['result'], registers });
      for (const result of results) counter.inc({ result }, 0);
      return counter;
    },
    gauge: (name, help) => new Gauge({ name, help, registers }),
    histogram: (name, help, buckets) => new Histogram({ name, help, buckets, registers }),
  };
}
