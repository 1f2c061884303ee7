// The pod's cold start as the autoscaler's warm-capacity rule needs it: seconds from the Pod's creation
// (metadata.creationTimestamp, from the pod patcher's answer) to the first moment its streamer is ready.
// Either fact may come first; the figure is reported once, and never for a pod whose containers restarted
// (its creation is then long past and says nothing about how fast new capacity comes).
import type { PodFacts } from './pod-patcher.js';

export interface PodReadyClock {
  /** The sidecar's status turned ready (streamer registered, not draining) at `atMs`. */
  ready(atMs: number): void;
  created(facts: PodFacts): void;
}

export function podReadyClock(report: (seconds: number) => void): PodReadyClock {
  let readyAt: number | undefined;
  let facts: PodFacts | undefined;
  let done = false;
  const maybeReport = () => {
    if (done || readyAt === undefined || facts === undefined) return;
    done = true;
    if (facts.restarted) return;
    // Clock skew between the API server and this node can make a fast start look negative.
    report(Math.max(0, (readyAt - facts.createdAtMs) / 1000));
  };
  return {
    ready(atMs) {
      readyAt ??= atMs;
      maybeReport();
    },
    created(f) {
      facts ??= f;
      maybeReport();
    },
  };
}
