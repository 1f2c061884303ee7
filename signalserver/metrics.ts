// The sidecar's Prometheus metrics, named only through common/metric-names.ts (the adapter rules, HPA,
// dashboards and simulator read the same constants). Gauges mirror SidecarStatus on every change.
import { Registry, collectDefaultMetrics } from 'prom-client';
import {
  SIDECAR,
  SIDECAR_POD_PATCH_RESULTS,
  SIDECAR_RESERVATION_RESULTS,
  type SidecarStatus,
} from '../common/index.js';
import { metricDefinitions } from '../common/metric-definitions.js';

// Sessions last from seconds (a bounce) to hours (a working session).
const SESSION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400];
// Negotiation starts within tens of milliseconds on a LAN, seconds over a slow relay.
const ANSWER_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// From a warm node with the image cached (seconds) to a new GPU node plus a cold pull (10+ minutes).
const POD_READY_BUCKETS = [5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800];

export class SidecarMetrics {
  readonly registry = new Registry();
  private readonly define = metricDefinitions(this.registry);
  private readonly streamerConnected = this.define.gauge(
    SIDECAR.streamerConnected,
    '1 while a streamer is registered',
  );
  private readonly allocated = this.define.gauge(
    SIDECAR.allocated,
    '1 while a player is subscribed or the stream is reserved',
  );
  private readonly available = this.define.gauge(
    SIDECAR.available,
    '1 while a streamer is connected, unallocated and not draining',
  );
  private readonly draining = this.define.gauge(SIDECAR.draining, '1 after SIGTERM');
  private readonly reserved = this.define.gauge(SIDECAR.reserved, '1 while a router reservation is live');
  private readonly players = this.define.gauge(SIDECAR.players, 'subscribed players');
  readonly sessions = this.define.counter(SIDECAR.sessionsTotal, 'sessions started (successful subscribes)');
  readonly sessionDuration = this.define.histogram(
    SIDECAR.sessionDurationSeconds,
    'subscribe to session end',
    SESSION_BUCKETS,
  );
  private readonly messages = this.define.counter(
    SIDECAR.messagesTotal,
    'signalling messages received, by sender role and type',
    ['role', 'type'],
  );
  readonly rejections = this.define.counter(
    SIDECAR.rejectionsTotal,
    'refused messages, connections and subscriptions, by reason',
    ['reason'],
  );
  readonly subscribeToAnswer = this.define.histogram(
    SIDECAR.subscribeToAnswerSeconds,
    'subscribe to the first answer relayed (how long WebRTC negotiation takes to start)',
    ANSWER_BUCKETS,
  );
  readonly reservations = this.define.outcomes(
    SIDECAR.reservationsTotal,
    'reservation API outcomes',
    SIDECAR_RESERVATION_RESULTS,
  );
  readonly podPatches = this.define.outcomes(
    SIDECAR.podPatchesTotal,
    "patches of this pod's allocation label, deletion cost and safe-to-evict marks, by result",
    SIDECAR_POD_PATCH_RESULTS,
  );
  readonly podReady = this.define.histogram(
    SIDECAR.podReadySeconds,
    "this pod's creation to its streamer first ready: scheduling, node provisioning, image pull, app start",
    POD_READY_BUCKETS,
  );
  readonly eventsDropped = this.define.counter(
    SIDECAR.eventsDroppedTotal,
    'lifecycle CloudEvents dropped (sink slow, down or refusing)',
  );

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
}
