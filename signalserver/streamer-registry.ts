// Every streamer-side connection (streamers and SFUs), pending or registered, keyed by committed id.
// Emits `added`/`removed` as ids become listable or go away; allocation and metrics read from here.
import { EventEmitter } from 'node:events';
import type { Logger } from '../common/index.js';
import { generationOf, type StreamerGeneration } from './streamer-generations.js';
import type { Connection } from './transport.js';
import type { PlayerEntry } from './player-registry.js';

export interface StreamerEntry {
  readonly conn: Connection;
  readonly kind: 'streamer' | 'sfu';
  /** Committed id; undefined until registered. */
  id: string | undefined;
  sentEndpointId: boolean;
  announcedVersion: boolean;
  /** SFUs are subscribable only between startStreaming and stopStreaming. */
  streaming: boolean;
  readonly subscribers: Map<string, PlayerEntry>;
  /** For an SFU: its player-side entry (the SFU subscribes to a streamer like a player does). */
  asPlayer?: PlayerEntry;
  legacyTimer?: NodeJS.Timeout;
  log: Logger;
}

export function generation(s: StreamerEntry): StreamerGeneration {
  return generationOf(s.sentEndpointId, s.announcedVersion);
}

export class StreamerRegistry extends EventEmitter<{
  added: [StreamerEntry];
  removed: [StreamerEntry, string];
}> {
  private readonly byId = new Map<string, StreamerEntry>();
  private readonly pending = new Set<StreamerEntry>();

  addPending(entry: StreamerEntry): void {
    this.pending.add(entry);
  }

  /** Oldest connected streamer that has not named itself (a UE 4.27 candidate), if any. */
  oldestPending(): StreamerEntry | undefined {
    for (const e of this.pending) if (e.kind === 'streamer') return e;
    return undefined;
  }

  /**
   * Registers or renames `entry` under `wanted`; a clash gets a numeric suffix (Epic's rule).
   * Returns the committed id.
   */
  register(entry: StreamerEntry, wanted: string): string {
    const previous = entry.id;
    if (previous !== undefined && previous === wanted) return previous;
    if (previous !== undefined) this.byId.delete(previous);
    let id = wanted;
    for (let n = 2; this.byId.has(id); n++) id = `${wanted}${n}`;
    this.byId.set(id, entry);
    this.pending.delete(entry);
    entry.id = id;
    if (previous !== undefined) this.emit('removed', entry, previous);
    this.emit('added', entry);
    return id;
  }

  remove(entry: StreamerEntry): void {
    this.pending.delete(entry);
    if (entry.id !== undefined && this.byId.get(entry.id) === entry) {
      this.byId.delete(entry.id);
      this.emit('removed', entry, entry.id);
    }
  }

  get(id: string): StreamerEntry | undefined {
    return this.byId.get(id);
  }

  /** Ids a player may subscribe to: streamers, and SFUs that are streaming. */
  listable(): string[] {
    const ids: string[] = [];
    for (const [id, e] of this.byId) if (e.kind === 'streamer' || e.streaming) ids.push(id);
    return ids;
  }

  /** Registered real streamers (not SFUs), in registration order. */
  streamers(): StreamerEntry[] {
    return [...this.byId.values()].filter((e) => e.kind === 'streamer');
  }

  all(): StreamerEntry[] {
    return [...this.byId.values(), ...this.pending];
  }
}
