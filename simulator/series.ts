// The time series a run plots (simulator/plot.ts): one sample per interval of the pool, the queue, the nodes
// and the arrivals since the previous sample.

export interface Series {
  readonly t: number[];
  readonly replicas: number[];
  readonly ready: number[];
  readonly allocated: number[];
  readonly queued: number[];
  readonly arrivals: number[];
  readonly nodes: number[];
}

/** One sample's values, arrivals apart (counted by arrived()). */
export type SampleValues = Omit<{ [K in keyof Series]: number }, 't' | 'arrivals'>;

export class SeriesRecorder {
  readonly series: Series = {
    t: [],
    replicas: [],
    ready: [],
    allocated: [],
    queued: [],
    arrivals: [],
    nodes: [],
  };
  private arrivals = 0;

  arrived(): void {
    this.arrivals++;
  }

  take(now: number, v: SampleValues): void {
    const s = this.series;
    s.t.push(now);
    s.replicas.push(v.replicas);
    s.ready.push(v.ready);
    s.allocated.push(v.allocated);
    s.queued.push(v.queued);
    s.arrivals.push(this.arrivals);
    s.nodes.push(v.nodes);
    this.arrivals = 0;
  }
}
