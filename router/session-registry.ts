// The live player sessions of one router, and the ids it gives them. Ids belong to the router that issues
// them, so two routers in one process (as in the tests) each count from 1.

export class SessionRegistry<S> {
  private readonly live = new Set<S>();
  private lastId = 0;

  /** A fresh id, unique within this registry. */
  issueId(): number {
    return ++this.lastId;
  }

  add(session: S): void {
    this.live.add(session);
  }

  delete(session: S): void {
    this.live.delete(session);
  }

  get size(): number {
    return this.live.size;
  }

  [Symbol.iterator](): IterableIterator<S> {
    return this.live.values();
  }
}
