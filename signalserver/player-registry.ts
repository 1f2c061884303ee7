// Every player-side connection (browsers, and SFUs in their player role), keyed by player id. Ids are
// numeric strings from "101" up: UE 5.0/5.1 streamers parse them as integers, browsers treat them as text.
import { EventEmitter } from 'node:events';
import { FIRST_PLAYER_ID, type Logger } from '../common/index.js';
import type { Connection } from './transport.js';
import type { StreamerEntry } from './streamer-registry.js';

export interface Session {
  readonly id: string;
  readonly startedAt: number;
  /** The streamer's id when the session started; its logs and events keep it even if the streamer is renamed. */
  readonly streamerId: string;
  answeredAt?: number;
  log: Logger;
}

export interface PlayerEntry {
  readonly conn: Connection;
  readonly playerId: string;
  readonly kind: 'player' | 'sfu';
  subscribedTo?: StreamerEntry;
  session?: Session;
  /** The latest session, kept after it ends (streamer gone, unsubscribe) for the disconnect line. */
  lastSession?: Session;
  /** Reservation id from the upgrade URL (set by the router), if any. */
  readonly reservationId: string | undefined;
  /** Joined by sending an offer without subscribing (UE 4.26/4.27 frontends): refused with a close code. */
  browserOffer: boolean;
  /** For an SFU: its streamer-side entry. */
  asStreamer?: StreamerEntry;
  log: Logger;
}

export class PlayerRegistry extends EventEmitter<{ added: [PlayerEntry]; removed: [PlayerEntry] }> {
  private readonly byId = new Map<string, PlayerEntry>();
  private next = FIRST_PLAYER_ID;

  nextId(): string {
    return String(this.next++);
  }

  add(entry: PlayerEntry): void {
    this.byId.set(entry.playerId, entry);
    this.emit('added', entry);
  }

  remove(entry: PlayerEntry): void {
    if (this.byId.get(entry.playerId) === entry) {
      this.byId.delete(entry.playerId);
      this.emit('removed', entry);
    }
  }

  get(playerId: string): PlayerEntry | undefined {
    return this.byId.get(playerId);
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<PlayerEntry> {
    return this.byId.values();
  }
}
