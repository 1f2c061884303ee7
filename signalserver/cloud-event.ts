// Lifecycle events in the CloudEvents structured JSON format, in a module of its own: events.ts imports it
// with the first event, so a sidecar without EVENTS_SINK_URL never loads the CloudEvents library (and its
// bundle keeps it in a file of its own).
import { CloudEvent } from 'cloudevents';

export interface EventAttributes {
  type: string;
  source: string;
  time: string;
  data: Record<string, unknown>;
}

export function structuredEvent(attributes: EventAttributes): string {
  return JSON.stringify(new CloudEvent({ ...attributes, datacontenttype: 'application/json' }).toJSON());
}
