// The discrete-event engine's agenda: a binary min-heap ordered by time, ties broken by insertion order so
// that simultaneous events always run in the same order (determinism).

export interface Scheduled<E> {
  readonly time: number;
  readonly seq: number;
  readonly event: E;
}

export class EventQueue<E> {
  private heap: Scheduled<E>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: E): void {
    const item: Scheduled<E> = { time, seq: this.seq++, event };
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): Scheduled<E> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }
}

const before = <E>(x: Scheduled<E>, y: Scheduled<E>) =>
  x.time < y.time || (x.time === y.time && x.seq < y.seq);
