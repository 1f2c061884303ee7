// Which streamer pods are candidates, and where their sidecar listens. Pure: fed with pod objects from the
// Kubernetes watch.
import type { Endpoint } from './endpoints.js';

/** The label the sidecar's pod patcher keeps up to date (a hint: the reservation is the lock). */
export const ALLOCATED_LABEL = 'pixelstream.io/allocated';

/** The parts of a V1Pod we read. */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    deletionTimestamp?: unknown;
  };
  status?: { phase?: string; podIP?: string; conditions?: Array<{ type?: string; status?: string }> };
}

export function podKey(pod: PodLike): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** The endpoint of a Ready, running, not-terminating pod with an IP; undefined otherwise. */
export function podToEndpoint(pod: PodLike, port: number): Endpoint | undefined {
  const ip = pod.status?.podIP;
  if (!ip || pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) return undefined;
  const ready = pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  if (!ready) return undefined;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const label = pod.metadata?.labels?.[ALLOCATED_LABEL];
  return {
    key: podKey(pod),
    url: `http://${host}:${port}`,
    ...(label === 'true' ? { allocatedHint: true } : label === 'false' ? { allocatedHint: false } : {}),
  };
}
