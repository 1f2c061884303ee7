// Image pre-pull as synthesized from the default .env: a GPU-pool DaemonSet whose init containers are the
// images the streamer pods use, run only to exit, idling on the pause image with no GPU.
import { describe, expect, it } from 'vitest';
import { VARIANT_ENVS, container, find, podSpec, synthesizer } from './testing/manifests.js';
import { restrictedProblems } from './testing/pod-security.js';

const defaults = synthesizer('k8s-prepull-')('default', VARIANT_ENVS['.env.example']());

describe('warm capacity objects', () => {
  it('pre-pull: a GPU-pool DaemonSet pulling the streamer and sidecar images the pods use', () => {
    const pod = podSpec(find(defaults, 'DaemonSet', 'pixelstream-prepull'));
    const streamerPod = find(defaults, 'Deployment', 'streamer');
    expect(pod.nodeSelector).toEqual(podSpec(streamerPod).nodeSelector);
    expect(pod.tolerations).toEqual(podSpec(streamerPod).tolerations);
    const inits = pod.initContainers ?? [];
    expect(inits.map((k) => k.image)).toEqual([
      container(streamerPod, 'streamer').image,
      container(streamerPod, 'signalserver').image,
    ]);
    for (const k of inits) expect(k.command).toEqual(['true']);
    for (const k of [...inits, ...pod.containers])
      expect(Object.keys(k.resources?.limits ?? {})).toEqual(['memory']); // it holds no GPU
    expect(restrictedProblems(pod)).toEqual([]);
  });
});
