// For a pod-test describe block that plays a stream: the test cluster of the rendered objects, started
// before the first test with the pods the suite needs and the player page's port forwarded, and closed
// (pods, forwards, API server) after the last.
import { afterAll, beforeAll } from 'vitest';
import type { RunningPod } from '../pod-runner/pod.js';
import { TestCluster } from './cluster.js';

export interface ClusterSuite<P> {
  readonly cluster: TestCluster;
  /** What `start` returned. */
  readonly pods: P;
  /** The player page of the entry pod, on 127.0.0.1. */
  readonly pagePort: number;
}

/**
 * Registers the hooks. `start` runs the suite's pods; port 8080 of the one named `entry` is forwarded to
 * 127.0.0.1 (the entry's part: a trustworthy origin for the page). Read the fields inside a test.
 */
export function clusterPerSuite<P extends Record<string, RunningPod>>(
  objects: Array<Record<string, unknown>>,
  entry: keyof P & string,
  start: (cluster: TestCluster) => Promise<P>,
): ClusterSuite<P> {
  let state: { cluster: TestCluster; pods?: P; pagePort?: number } | undefined;
  beforeAll(async () => {
    state = { cluster: await TestCluster.start(objects) };
    state.pods = await start(state.cluster);
    state.pagePort = await state.cluster.forward(state.pods[entry]!, 8080);
  }, 90_000);
  afterAll(async () => {
    await state?.cluster.close();
  });
  const started = () => {
    if (state?.pods === undefined || state.pagePort === undefined)
      throw new Error('the cluster is not started: read it inside a test');
    return { cluster: state.cluster, pods: state.pods, pagePort: state.pagePort };
  };
  return {
    get cluster() {
      return started().cluster;
    },
    get pods() {
      return started().pods;
    },
    get pagePort() {
      return started().pagePort;
    },
  };
}
