// The reservation lock of the session router contract (common/reservation-api.ts). A sidecar holds at most
// one live reservation; granting is synchronous in one event loop, so two racing routers cannot both win.
// Lifecycle: waiting (TTL) → claimed (a player socket carries the id) → resumable (grace) → gone.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  MAX_RESERVATION_TTL_SECONDS,
  MAX_RESUME_GRACE_SECONDS,
  type Reservation,
  type ReservationRequest,
} from '../common/index.js';

export type GrantOutcome =
  | { ok: true; reservation: Reservation; resumed: boolean }
  | { ok: false; status: 404 | 409 | 503; code: 'not_found' | 'not_available' | 'draining'; message: string };

interface Live {
  id: string;
  state: Reservation['state'];
  expiresAt: number;
  holders: number;
  resumeSeconds: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ReservationsOptions {
  ttlSeconds: number;
  resumeSeconds: number;
}

export class Reservations extends EventEmitter<{ change: []; expired: [string] }> {
  private live: Live | undefined;

  constructor(private readonly options: ReservationsOptions) {
    super();
  }

  /** Id of the live reservation, if any. */
  get liveId(): string | undefined {
    return this.live?.id;
  }

  view(id: string, streamerId: string | null): Reservation | undefined {
    const r = this.live;
    if (!r || r.id !== id) return undefined;
    return { id: r.id, expiresAt: r.expiresAt, state: r.state, streamerId };
  }

  /**
   * Grants a new reservation (or re-arms `req.resumeId`). `available` is the pod's current availability,
   * `draining` its drain flag; both are read in the same tick as the grant.
   */
  grant(
    req: ReservationRequest,
    available: boolean,
    draining: boolean,
    streamerId: string | null,
    nowMs = Date.now(),
  ): GrantOutcome {
    if (draining) return { ok: false, status: 503, code: 'draining', message: 'this pod is draining' };
    // The router asks for its own TTL/grace; clamp them so a buggy client cannot pin a pod for days.
    const ttl = clamp(req.ttlSeconds, this.options.ttlSeconds, 1, MAX_RESERVATION_TTL_SECONDS);
    const resumeSeconds = clamp(req.resumeSeconds, this.options.resumeSeconds, 0, MAX_RESUME_GRACE_SECONDS);
    if (req.resumeId !== undefined) {
      const r = this.live;
      if (!r || r.id !== req.resumeId)
        return { ok: false, status: 404, code: 'not_found', message: 'no such reservation' };
      r.resumeSeconds = resumeSeconds;
      if (r.holders === 0) this.arm(r, 'waiting', nowMs + ttl * 1000);
      this.emit('change');
      return { ok: true, reservation: this.view(r.id, streamerId)!, resumed: true };
    }
    if (!available)
      return { ok: false, status: 409, code: 'not_available', message: 'the stream is not available' };
    const r: Live = {
      id: randomUUID(),
      state: 'waiting',
      expiresAt: 0,
      holders: 0,
      resumeSeconds,
      timer: undefined,
    };
    this.live = r;
    this.arm(r, 'waiting', nowMs + ttl * 1000);
    this.emit('change');
    return { ok: true, reservation: this.view(r.id, streamerId)!, resumed: false };
  }

  /** A player socket carrying `id` connected. False when no such reservation is live. */
  claim(id: string): boolean {
    const r = this.live;
    if (!r || r.id !== id) return false;
    r.holders++;
    if (r.timer) clearTimeout(r.timer);
    r.timer = undefined;
    r.state = 'claimed';
    r.expiresAt = 0;
    this.emit('change');
    return true;
  }

  /** A player socket carrying `id` went away: keep the reservation for its grace period. */
  drop(id: string, nowMs = Date.now()): void {
    const r = this.live;
    if (!r || r.id !== id) return;
    r.holders = Math.max(0, r.holders - 1);
    if (r.holders > 0) return;
    if (r.resumeSeconds === 0) this.release(id);
    else {
      this.arm(r, 'resumable', nowMs + r.resumeSeconds * 1000);
      this.emit('change');
    }
  }

  /** Deletes the reservation; false when it is not the live one. */
  release(id: string): boolean {
    const r = this.live;
    if (!r || r.id !== id) return false;
    if (r.timer) clearTimeout(r.timer);
    this.live = undefined;
    this.emit('change');
    return true;
  }

  close(): void {
    if (this.live?.timer) clearTimeout(this.live.timer);
    this.live = undefined;
  }

  private arm(r: Live, state: Reservation['state'], expiresAt: number): void {
    if (r.timer) clearTimeout(r.timer);
    r.state = state;
    r.expiresAt = expiresAt;
    r.timer = setTimeout(
      () => {
        if (this.live !== r) return;
        this.live = undefined;
        this.emit('expired', r.id);
        this.emit('change');
      },
      Math.max(0, expiresAt - Date.now()),
    );
    r.timer.unref();
  }
}

function clamp(value: unknown, def: number, min: number, max: number): number {
  const v = typeof value === 'number' && Number.isFinite(value) ? value : def;
  return Math.min(max, Math.max(min, v));
}
