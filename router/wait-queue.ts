// The FIFO of players waiting for a pod on this replica. Pure bookkeeping: timers, sockets and messages
// live in the allocator and the player session.

export class WaitQueue<T> {
  private items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts an item back at the head (its pod failed after the grant; it keeps its turn). */
  unshift(item: T): void {
    this.items.unshift(item);
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** Removes `item` wherever it is; true when it was queued. */
  remove(item: T): boolean {
    const i = this.items.indexOf(item);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /** 1-based position, or 0 when not queued. */
  position(item: T): number {
    return this.items.indexOf(item) + 1;
  }

  /** Items from position `from` (1-based) to the end: the ones over a length bound. */
  beyond(bound: number): T[] {
    return this.items.slice(bound);
  }

  toArray(): readonly T[] {
    return this.items;
  }
}
