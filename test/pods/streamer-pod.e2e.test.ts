// The streamer pod from the rendered manifests, run as a kubelet would run it: sidecar and reference
// streamer in one network namespace become Ready, and every container runs as the user its manifest
// gives it, on a read-only root filesystem with only its emptyDir writable.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ALLOCATED_LABEL,
  DELETION_COST_ANNOTATION,
  POD_PATCH_CONTENT_TYPE,
  SAFE_TO_EVICT_ANNOTATION,
} from '../../common/pod-marks.js';
import type { RunningPod } from '../pod-runner/pod.js';
import { TestCluster, expectManifestUsersAndReadOnlyRoot, podTestsRunnable } from './cluster.js';

const { ok, objects } = podTestsRunnable();

describe.skipIf(!ok)('streamer pod', () => {
  let cluster: TestCluster;
  let pod: RunningPod;

  beforeAll(async () => {
    cluster = await TestCluster.start(objects);
    pod = await cluster.run('Deployment', 'streamer');
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('becomes Ready: the streamer registers with its sidecar over the pod loopback', async () => {
    await pod.waitReady(90_000);
    await pod.waitForLog('signalserver', (l) => l.msg === 'streamer registered');
    const status = (await (await fetch(`http://${pod.ip}:8080/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ streamerConnected: true, available: true, draining: false });
    // The sidecar marks its own pod idle through the API server, with the token the kubelet mounted.
    await vi.waitFor(
      () =>
        expect(cluster.api.patches.get(pod.name)?.at(-1)).toMatchObject({
          metadata: {
            labels: { [ALLOCATED_LABEL]: 'false' },
            annotations: {
              [DELETION_COST_ANNOTATION]: expect.any(String) as string,
              [SAFE_TO_EVICT_ANNOTATION]: 'true',
            },
          },
        }),
      { timeout: 15_000 },
    );
    const patch = cluster.api.requests.find((r) => r.method === 'PATCH')!;
    expect(patch).toMatchObject({
      url: `/api/v1/namespaces/${pod.identity.namespace}/pods/${pod.name}`,
      auth: `Bearer ${cluster.api.access.token}`,
      contentType: POD_PATCH_CONTENT_TYPE,
    });
    expect(cluster.api.unexpected).toEqual([]);
  }, 120_000);

  it("sends to players through the image's native fan-out path (the addon beside the bundle loads)", async () => {
    const line = await pod.waitForLog('streamer', (l) => l.msg === 'fan-out send path');
    expect(line).toMatchObject({ send: 'native', file: '/app/srtp-send.node' });
  });

  it('runs every container as its manifest says, on a read-only root with a writable emptyDir', async () => {
    await expectManifestUsersAndReadOnlyRoot(pod);
  });
});
