// What discovery hands the allocator: the sidecars a player could be sent to, and when that set changes.

/** One sidecar's player endpoint. */
export interface Endpoint {
  /** Stable identity for logs and beliefs (pod namespace/name, or the URL for static discovery). */
  readonly key: string;
  /** http://host:port of the sidecar's player port (reservations and the player WebSocket). */
  readonly url: string;
  /** The pod's `pixelstream.io/allocated` label, when discovery knows it: a hint, never the lock. */
  readonly allocatedHint?: boolean;
}

export interface EndpointChange {
  added: Endpoint[];
  removed: Endpoint[];
  /** Same URL, new hint (the allocated label flipped). */
  updated?: Endpoint[];
}

export interface Discovery {
  /** Current endpoints (ready pods only). */
  endpoints(): readonly Endpoint[];
  /** True once the first full list arrived (readiness). */
  readonly synced: boolean;
  /** `change` fires after every add/update/remove with the endpoints that appeared, vanished or changed. */
  on(event: 'change', listener: (change: EndpointChange) => void): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
}
