// Finds pods for waiting players. One FIFO per replica; reservations are obtained pod by pod (several in
// flight at once) and each granted reservation goes to whoever is at the head of the queue at that moment,
// so players are served first-come first-served even though requests finish out of order.
import type { Logger, Reservation } from '../common/index.js';
import { orderCandidates, type Belief } from './candidates.js';
import type { Discovery, Endpoint } from './endpoints.js';
import type { RouterMetrics } from './metrics.js';
import type { ReservationClient } from './reservation-client.js';
import { WaitQueue } from './wait-queue.js';

export interface Grant {
  endpoint: Endpoint;
  reservation: Reservation;
}

export type RejectCode = 'queue_full' | 'queue_timeout' | 'shutting_down';

/** A player waiting for a pod, as the allocator sees it. */
export interface Waiter {
  readonly arrivedAt: number;
  /** Handed a reservation; the waiter has left the queue. */
  onGrant(grant: Grant): void;
  /** A full round found no pod for it: it now really waits (first time only). */
  onQueued(): void;
  onPosition(position: number, length: number): void;
  /** Turned away; the waiter has left the queue. */
  onReject(code: RejectCode): void;
}

export interface AllocatorOptions {
  queueMax: number;
  queueTimeoutMs: number;
  pollMs: number;
  suspectMs: number;
  concurrency: number;
  reservationTtlSeconds: number;
  resumeGraceSeconds: number;
}

interface Entry {
  waiter: Waiter;
  timer: NodeJS.Timeout;
  queued: boolean;
  sent?: { position: number; length: number };
}

export class Allocator {
  private readonly queue = new WaitQueue<Entry>();
  private readonly entries = new Map<Waiter, Entry>();
  private readonly beliefs = new Map<string, Belief>();
  private readonly inFlight = new Set<string>();
  private pumping = false;
  /** Adds workers to the running round (set while one runs). */
  private topUp: (() => void) | undefined;
  private again = false;
  /** When the last round asked every pod and some players still waited (0: capacity may be there). */
  private exhaustedAt = 0;
  private positionsScheduled = false;
  private readonly poll: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly discovery: Discovery,
    private readonly client: ReservationClient,
    private readonly options: AllocatorOptions,
    private readonly metrics: RouterMetrics,
    private readonly log: Logger,
  ) {
    this.poll = setInterval(() => {
      if (this.queue.length > 0) this.pump();
    }, options.pollMs);
    this.poll.unref();
    discovery.on('change', ({ added, removed, updated = [] }) => {
      // The sidecar flipped its pod's label to free: fresher than any 409 this replica remembers.
      for (const ep of updated) if (ep.allocatedHint === false) this.beliefs.delete(ep.url);
      for (const ep of removed) {
        this.beliefs.delete(ep.url);
        this.log.info({ pod: ep.key, url: ep.url }, 'pod left discovery');
      }
      for (const ep of added)
        this.log.info({ pod: ep.key, url: ep.url, allocatedHint: ep.allocatedHint }, 'pod discovered');
      // Any change may be capacity (a new pod, a label flipping to allocated=false).
      this.exhaustedAt = 0;
      if (this.queue.length > 0) this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  enqueue(waiter: Waiter): void {
    if (this.stopped) return waiter.onReject('shutting_down');
    // Every pod said no a moment ago: a newcomer goes straight to the back of the line (or away, over the
    // bound) instead of asking every pod again — an overload must not turn each arrival into N requests.
    const full = this.recentlyExhausted();
    if (full && this.queue.length >= this.options.queueMax) {
      this.metrics.count('rejected');
      return waiter.onReject('queue_full');
    }
    const entry: Entry = {
      waiter,
      queued: full,
      timer: setTimeout(() => this.expire(entry), this.options.queueTimeoutMs),
    };
    this.entries.set(waiter, entry);
    this.queue.push(entry);
    this.metrics.queueLength.set(this.queue.length);
    if (full) {
      waiter.onQueued();
      this.schedulePositions();
    } else this.pump();
  }

  /** Fresh for one poll interval: after that a poll (or the next arrival) asks the pods again. */
  private recentlyExhausted(): boolean {
    return this.exhaustedAt !== 0 && Date.now() - this.exhaustedAt < this.options.pollMs;
  }

  /** Puts a waiter whose pod failed after the grant back at the head; it keeps its original deadline. */
  requeue(waiter: Waiter, deadline: number): void {
    if (this.stopped) return waiter.onReject('shutting_down');
    const entry: Entry = {
      waiter,
      queued: true,
      timer: setTimeout(() => this.expire(entry), Math.max(0, deadline - Date.now())),
    };
    this.entries.set(waiter, entry);
    this.queue.unshift(entry);
    this.metrics.queueLength.set(this.queue.length);
    this.pump();
  }

  /** The player left while waiting. */
  cancel(waiter: Waiter): void {
    const entry = this.entries.get(waiter);
    if (!entry) return;
    this.drop(entry);
    this.schedulePositions();
  }

  /** A grant could not be used (the player vanished before its pipe opened): pass it on or release it. */
  giveBack(grant: Grant): void {
    this.handOut(grant.endpoint, grant.reservation);
  }

  /** This replica released a reservation: the pod is probably free right now. */
  released(endpoint: Endpoint): void {
    this.beliefs.delete(endpoint.url);
    this.exhaustedAt = 0;
    if (this.queue.length > 0) this.pump();
  }

  /** The pod failed after granting (its socket refused or died): try it last for a while. */
  suspect(endpoint: Endpoint, reason: string): void {
    this.beliefs.set(endpoint.url, { suspectUntil: Date.now() + this.options.suspectMs });
    this.log.warn({ pod: endpoint.key, url: endpoint.url, reason }, 'sidecar marked suspect');
  }

  /** Rejects everyone still waiting and stops polling. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    for (const entry of [...this.queue.toArray()]) {
      this.drop(entry);
      entry.waiter.onReject('shutting_down');
    }
  }

  /** Starts an allocation round unless one is running; then runs one more so no wake-up is lost. */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      this.topUp?.();
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again && this.queue.length > 0 && !this.stopped);
      } catch (err) {
        this.log.error({ err }, 'allocation round failed');
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async round(): Promise<void> {
    if (this.queue.length === 0) return;
    const candidates = orderCandidates(this.discovery.endpoints(), this.beliefs, this.inFlight, Date.now());
    let next = 0;
    let active = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    // Never ask for more pods than players waiting: surplus grants would only be released again.
    const wanted = () => this.queue.length - this.inFlight.size;
    const worker = async () => {
      active++;
      try {
        while (next < candidates.length && wanted() > 0) await this.tryOne(candidates[next++] as Endpoint);
      } finally {
        if (--active === 0) {
          this.topUp = undefined;
          finish();
        }
      }
    };
    // Players arriving during a round add workers to it (up to the concurrency bound) instead of waiting
    // for the next round: a crowd arriving one socket at a time still gets parallel reservations.
    const topUp = () => {
      while (active < this.options.concurrency && wanted() > 0 && next < candidates.length) void worker();
    };
    this.topUp = topUp;
    topUp();
    if (active === 0) {
      this.topUp = undefined;
      finish();
    }
    await done;
    const exhausted = next >= candidates.length && this.queue.length > 0;
    this.exhaustedAt = exhausted ? Date.now() : 0;
    if (exhausted) this.settleUnserved();
  }

  private async tryOne(ep: Endpoint): Promise<void> {
    this.inFlight.add(ep.url);
    const outcome = await this.client.reserve(ep.url, {
      ttlSeconds: this.options.reservationTtlSeconds,
      resumeSeconds: this.options.resumeGraceSeconds,
    });
    this.inFlight.delete(ep.url);
    const now = Date.now();
    switch (outcome.kind) {
      case 'granted':
        this.beliefs.set(ep.url, { busySince: now });
        this.handOut(ep, outcome.reservation);
        return;
      case 'conflict':
      case 'draining':
        this.beliefs.set(ep.url, { busySince: now });
        return;
      case 'gone':
        // A 404 to a new reservation: the sidecar runs without ROUTER_TOKEN (or this is not a sidecar at
        // all). A deployment error, like a token mismatch: it never heals by itself.
        this.beliefs.set(ep.url, { suspectUntil: now + this.options.suspectMs });
        this.metrics.count('failed');
        this.log.error(
          { pod: ep.key, url: ep.url, code: 'RESERVE_DISABLED' },
          'sidecar has no reservation API (404); is ROUTER_TOKEN set there?',
        );
        return;
      case 'failed':
        this.beliefs.set(ep.url, { suspectUntil: now + this.options.suspectMs });
        this.metrics.count('failed');
        this.log[outcome.code === 'unauthorized' ? 'error' : 'warn'](
          { pod: ep.key, url: ep.url, code: `RESERVE_${outcome.code.toUpperCase()}`, detail: outcome.detail },
          'reservation request failed; trying the next pod',
        );
        return;
    }
  }

  private handOut(ep: Endpoint, reservation: Reservation): void {
    const entry = this.queue.shift();
    if (!entry) {
      // Everyone left while the request was in flight: free the pod at once rather than waiting for its TTL.
      void this.client.release(ep.url, reservation.id).then(() => this.released(ep));
      return;
    }
    this.entries.delete(entry.waiter);
    clearTimeout(entry.timer);
    this.metrics.queueLength.set(this.queue.length);
    this.schedulePositions();
    entry.waiter.onGrant({ endpoint: ep, reservation });
  }

  /** After a round that asked every pod: mark the rest as waiting and enforce the length bound. */
  private settleUnserved(): void {
    for (const entry of this.queue.toArray()) {
      if (!entry.queued) {
        entry.queued = true;
        entry.waiter.onQueued();
      }
    }
    for (const entry of this.queue.beyond(this.options.queueMax).reverse()) {
      this.drop(entry);
      this.metrics.count('rejected');
      entry.waiter.onReject('queue_full');
    }
    this.schedulePositions();
  }

  private expire(entry: Entry): void {
    if (!this.entries.has(entry.waiter)) return;
    this.drop(entry);
    this.metrics.count('rejected');
    this.schedulePositions();
    entry.waiter.onReject('queue_timeout');
  }

  private drop(entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(entry.waiter);
    this.queue.remove(entry);
    this.metrics.queueLength.set(this.queue.length);
  }

  /** Tells waiting players their position once per change burst (coalesced: a flood of changes, one message). */
  private schedulePositions(): void {
    if (this.positionsScheduled) return;
    this.positionsScheduled = true;
    setImmediate(() => {
      this.positionsScheduled = false;
      const all = this.queue.toArray();
      all.forEach((entry, i) => {
        if (!entry.queued) return;
        const position = i + 1;
        if (entry.sent?.position === position && entry.sent.length === all.length) return;
        entry.sent = { position, length: all.length };
        entry.waiter.onPosition(position, all.length);
      });
    });
  }
}
