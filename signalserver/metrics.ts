// The sidecar's Prometheus metrics, named only through common/metric-names.ts (the adapter rules, HPA,
// dashboards and simulator read the same constants). Gauges mirror SidecarStatus on every change.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SIDECAR, type SidecarStatus } from '../common/index.js';

export class SidecarMetrics {
  readonly registry = new Registry();
  private readonly streamerConnected = this.gauge(
    SIDECAR.streamerConnected,
    '1 while a streamer is registered',
  );
  private readonly allocated = this.gauge(
    SIDECAR.allocated,
    '1 while a player is subscribed or the stream is reserved',
  );
  private readonly available = this.gauge(
    SIDECAR.available,
    '1 while a streamer is connected, unallocated and not draining',
  );
  private readonly draining = this.gauge(SIDECAR.draining, '1 after SIGTERM');
  private readonly reserved = this.gauge(SIDECAR.reserved, '1 while a router reservation is live');
  private readonly players = this.gauge(SIDECAR.players, 'subscribed players');
  readonly sessions = new Counter({
    name: SIDECAR.sessionsTotal,
    help: 'sessions started (successful subscribes)',
    registers: [this.registry],
  });
  readonly sessionDuration = new Histogram({
    name: SIDECAR.sessionDurationSeconds,
    help: 'subscribe to session end',
    // Sessions last from seconds (a bounce) to hours (a working session).
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: SIDECAR.messagesTotal,
    help: 'signalling messages received, by sender role and type',
    labelNames: ['role', 'type'],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: SIDECAR.rejectionsTotal,
    help: 'refused messages, connections and subscriptions, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly subscribeToAnswer = new Histogram({
    name: SIDECAR.subscribeToAnswerSeconds,
    help: 'subscribe to the first answer relayed (how long WebRTC negotiation takes to start)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly reservations = new Counter({
    name: SIDECAR.reservationsTotal,
    help: 'reservation API outcomes',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly podPatches = new Counter({
    name: SIDECAR.podPatchesTotal,
    help: "patches of this pod's allocation label, deletion cost and safe-to-evict marks, by result",
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly podReady = new Histogram({
    name: SIDECAR.podReadySeconds,
    help: "this pod's creation to its streamer first ready: scheduling, node provisioning, image pull, app start",
    // From a warm node with the image cached (seconds) to a new GPU node plus a cold pull (10+ minutes).
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800],
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter({
    name: SIDECAR.eventsDroppedTotal,
    help: 'lifecycle CloudEvents dropped (sink slow, down or refusing)',
    registers: [this.registry],
  });

  // Label lookups hash the label set on every call; messages are counted per frame, so keep the children.
  private readonly messageChildren = new Map<string, { inc(): void }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one received message; `type` must come from a bounded set (unknown types as "unknown"). */
  message(role: string, type: string): void {
    const key = `${role}\0${type}`;
    let child = this.messageChildren.get(key);
    if (!child) {
      child = this.messages.labels(role, type);
      this.messageChildren.set(key, child);
    }
    child.inc();
  }

  update(s: SidecarStatus): void {
    this.streamerConnected.set(s.streamerConnected ? 1 : 0);
    this.allocated.set(s.allocated ? 1 : 0);
    this.available.set(s.available ? 1 : 0);
    this.draining.set(s.draining ? 1 : 0);
    this.reserved.set(s.reserved ? 1 : 0);
    this.players.set(s.players);
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
