// Optional session lifecycle CloudEvents (structured JSON) POSTed to EVENTS_SINK_URL. Fire and forget:
// a bounded number in flight, each with a short timeout; anything beyond is dropped and counted, so a slow
// or dead sink can never hold up signalling.
import { hostname } from 'node:os';
import type { Logger } from '../common/index.js';

// Lifecycle events are a handful per session; more than this in flight means the sink is not keeping up.
const MAX_IN_FLIGHT = 64;
const POST_TIMEOUT_MS = 2000;

export type EventType =
  | 'session.started'
  | 'session.ended'
  | 'streamer.connected'
  | 'streamer.disconnected'
  | 'processing.result'
  | 'processing.ended';

export interface EventSink {
  emit(type: EventType, data: Record<string, unknown>): void;
  /** Waits for posts in flight (shutdown). */
  flush(): Promise<void>;
}

export function createEventSink(url: string | undefined, log: Logger, onDrop: () => void): EventSink {
  if (!url) return { emit: () => {}, flush: () => Promise.resolve() };
  const source = `/pixelstream/sidecar/${process.env.POD_NAME ?? hostname()}`;
  const inFlight = new Set<Promise<void>>();
  // Imported with the first event: a sidecar without a sink never loads (or holds) the CloudEvents library.
  let format: Promise<typeof import('./cloud-event.js')> | undefined;
  return {
    emit(type, data) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        onDrop();
        return;
      }
      const time = new Date().toISOString();
      const post = (format ??= import('./cloud-event.js'))
        .then(({ structuredEvent }) =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/cloudevents+json' },
            body: structuredEvent({ type: `io.pixelstream.${type}`, source, time, data }),
            signal: AbortSignal.timeout(POST_TIMEOUT_MS),
          }),
        )
        .then(async (res) => {
          await res.body?.cancel();
          if (!res.ok) throw new Error(`sink answered ${res.status}`);
        })
        .catch((err: unknown) => {
          onDrop();
          log.warn({ err: String(err), eventType: type }, 'lifecycle event dropped');
        })
        .finally(() => inFlight.delete(post));
      inFlight.add(post);
    },
    async flush() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
