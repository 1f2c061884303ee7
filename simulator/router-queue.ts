// The router's player queue: who waits, in arrival order, who is turned away (queue full, the router's
// timeout, or the player's own patience), and per player when the stream started and ended on which pod.
// Allocation takes the oldest waiting player whenever a stream is free. State lives here; the simulation
// turns the times these methods return into events.
import type { Arrival } from './arrivals.js';
import { sample } from './distribution.js';
import type { Model } from './model.js';
import type { Random } from './random.js';

export const TURNED_AWAY = ['queueFull', 'timeout', 'gaveUp'] as const;
export type TurnedAwayReason = (typeof TURNED_AWAY)[number];

/** Where a player stands (the zero-filled status array starts everyone Waiting). */
const enum Status {
  Waiting,
  Served,
  Away,
}

export class RouterQueue {
  readonly players: number;
  /** per player: seconds waited before the stream (NaN when turned away) */
  readonly waits: Float64Array;
  /** per player: pod id that served it, -1 when turned away */
  readonly servedBy: Int32Array;
  /** per player: stream start and end (NaN when turned away) */
  readonly streamStart: Float64Array;
  readonly streamEnd: Float64Array;
  readonly turnedAway: Record<TurnedAwayReason, number> = { queueFull: 0, timeout: 0, gaveUp: 0 };
  private readonly status: Uint8Array;
  private readonly fifo: number[] = [];
  private head = 0;
  /** players waiting now */
  length = 0;
  /** players that reached the router (the counter the adaptive buffer's rate reads) */
  arrivalsTotal = 0;

  constructor(
    private readonly arrivals: readonly Arrival[],
    private readonly model: Model,
    /** player patience */
    private readonly rPlayers: Random,
  ) {
    const n = arrivals.length;
    this.players = n;
    this.waits = new Float64Array(n).fill(NaN);
    this.servedBy = new Int32Array(n).fill(-1);
    this.streamStart = new Float64Array(n).fill(NaN);
    this.streamEnd = new Float64Array(n).fill(NaN);
    this.status = new Uint8Array(n);
  }

  /**
   * Player `i` arrives and no stream is free: turned away when the queue is full (undefined), else queued
   * with a give-up timer — when it fires and its token for giveUp().
   */
  enqueue(i: number, now: number): { at: number; token: number } | undefined {
    if (this.length >= this.model.queueMax) {
      this.status[i] = Status.Away;
      this.turnedAway.queueFull++;
      return undefined;
    }
    this.fifo.push(i);
    this.length++;
    const m = this.model;
    const patience = m.giveUp === undefined ? Infinity : sample(m.giveUp, this.rPlayers);
    // The player's patience runs out first (token ≥ players) or the router's timeout does.
    if (patience < m.queueTimeoutSeconds) return { at: now + patience, token: i + this.players };
    return { at: now + m.queueTimeoutSeconds, token: i };
  }

  /** A give-up timer fires: the player leaves if still waiting. */
  giveUp(token: number): void {
    const n = this.players;
    const i = token >= n ? token - n : token;
    if (this.status[i] !== Status.Waiting) return;
    this.status[i] = Status.Away;
    this.turnedAway[token >= n ? 'gaveUp' : 'timeout']++;
    this.length--;
  }

  /** The oldest waiting player, taken off the queue; only while length > 0. */
  next(): number {
    while (this.status[this.fifo[this.head]!] !== Status.Waiting) this.head++;
    this.length--;
    return this.fifo[this.head++]!;
  }

  /** Player `i` streams from pod `podId` from now; when the session ends. */
  serve(i: number, podId: number, now: number): number {
    const a = this.arrivals[i]!;
    this.status[i] = Status.Served;
    this.waits[i] = now - a.at;
    this.servedBy[i] = podId;
    this.streamStart[i] = now;
    return now + a.session;
  }

  /** Player `i`'s stream ends (the session is over, or the pod's drain timeout cut it). */
  ended(i: number, now: number): void {
    this.streamEnd[i] = now;
  }

  /** At the end of the run: streams still going end at their session end or at `endTime`. */
  finish(endTime: number): void {
    for (let i = 0; i < this.players; i++)
      if (this.status[i] === Status.Served && Number.isNaN(this.streamEnd[i]!))
        this.streamEnd[i] = Math.min(endTime, this.streamStart[i]! + this.arrivals[i]!.session);
  }
}
