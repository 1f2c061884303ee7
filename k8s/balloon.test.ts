// Balloon pods as synthesized from the default .env and from a KEDA .env with two balloons: a negative
// PriorityClass above the cluster autoscaler's cutoff, and pods that ask for exactly what one streamer pod
// asks for, on its pool; BALLOON_PODS=0 and PREPULL_IMAGES=false render neither warm-capacity object.
import { describe, expect, it } from 'vitest';
import { VARIANT_ENVS, container, find, podSpec, synthesizer } from './testing/manifests.js';
import { restrictedProblems } from './testing/pod-security.js';
import { validate } from './testing/schemas.js';
import { BARE_ENV, KEDA_ENV } from './testing/warm.js';

const synth = synthesizer('k8s-balloon-');
const defaults = synth('default', VARIANT_ENVS['.env.example']());
const keda = synth('keda', KEDA_ENV);
const bare = synth('bare', BARE_ENV);

describe('warm capacity objects', () => {
  it('balloons: a negative PriorityClass above the autoscaler cutoff, one streamer pod’s GPU and pool each', () => {
    for (const s of [defaults, keda]) {
      for (const o of s.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
      const pc = find(s, 'PriorityClass', `pixelstream-balloon-${s.config.NAMESPACE}`);
      expect(pc.value).toBeLessThan(0);
      expect(pc.value).toBeGreaterThanOrEqual(-10); // below -10 the cluster autoscaler ignores pending balloons
      expect(pc.preemptionPolicy).toBe('Never');
      expect(pc.globalDefault).toBe(false);
      const b = find(s, 'Deployment', 'pixelstream-balloon');
      expect(b.spec?.replicas).toBe(s.config.BALLOON_PODS);
      const pod = podSpec(b);
      const streamer = podSpec(find(s, 'Deployment', 'streamer'));
      expect(pod.priorityClassName).toBe(pc.metadata?.name);
      expect(pod.nodeSelector).toEqual(streamer.nodeSelector);
      expect(pod.tolerations).toEqual(streamer.tolerations);
      const app = container(streamer, 'streamer');
      const pause = container(pod, 'pause');
      expect(pause.resources?.limits).toEqual({
        'nvidia.com/gpu': app.resources?.limits?.['nvidia.com/gpu'],
      });
      expect(pause.resources?.requests).toEqual(app.resources?.requests);
      expect(restrictedProblems(pod)).toEqual([]);
      // The streamer pods keep the default priority (0): they preempt balloons, never the reverse.
      expect(streamer.priorityClassName).toBeUndefined();
    }
  });

  it('BALLOON_PODS=0 and PREPULL_IMAGES=false render neither', () => {
    const names = bare.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.filter((n) => /balloon|prepull/.test(n))).toEqual([]);
  });
});
