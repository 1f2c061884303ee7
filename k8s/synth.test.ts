// The whole synthesis, from each test .env (k8s/testing/manifests.ts) to the YAML on disk: every object
// valid against its official schema and in its namespace, every container's env accepted by its
// component's own config checker, image tags and pull policies, Pod Security `restricted` in NAMESPACE,
// no Secret values anywhere; and .env.example, which documents every key and names the one to set.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KIT_VERSION, kitEnv, loadKitConfig } from '../common/kit-config.js';
import { COMPONENT_LABEL } from '../common/pod-marks.js';
import { PAUSE_IMAGE } from './balloon.js';
import { containerProblems } from './container-checks.js';
import { EXAMPLE_ENV, container, find, podSpec, testVariants, workloads } from './testing/manifests.js';
import { restrictedProblems } from './testing/pod-security.js';
import { validate } from './testing/schemas.js';

const v = testVariants('k8s-synth-');
const synth = v.synth;

describe.each(v.rows)('manifests (%s)', (label, s) => {
  const c = s.config;

  it('every object in the YAML on disk is valid against the official schemas', () => {
    expect(s.objects.length).toBeGreaterThan(15);
    for (const o of s.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    // TURN apart (its namespace needs Pod Security privileged for host networking), everything else in NAMESPACE.
    for (const o of s.objects)
      if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding' && o.kind !== 'PriorityClass')
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(
          o.metadata.labels?.[COMPONENT_LABEL] === 'turn' ? c.TURN_NAMESPACE : c.NAMESPACE,
        );
    expect(find(s, 'DaemonSet', 'turn').metadata?.namespace).toBe(c.TURN_NAMESPACE);
    expect(find(s, 'ClusterRoleBinding', `pixelstream-turn-${c.NAMESPACE}`).subjects).toEqual([
      { kind: 'ServiceAccount', name: 'turn', namespace: c.TURN_NAMESPACE },
    ]);
  });

  it("every container would start: each component's own config checker accepts the env its manifest gives it", () => {
    expect(containerProblems(s.objects)).toEqual([]);
  });

  it('images: kit-version tags by default, pull policy Always only for latest (or when asked)', () => {
    for (const w of workloads(s))
      for (const k of podSpec(w).containers) {
        const tag = k.image?.split(':').pop();
        expect(k.imagePullPolicy, k.image).toBe(
          c.IMAGE_PULL_POLICY !== 'auto' ? c.IMAGE_PULL_POLICY : tag === 'latest' ? 'Always' : 'IfNotPresent',
        );
      }
    const side = container(find(s, 'Deployment', 'streamer'), 'signalserver');
    if (label === '.env.example') expect(side.image).toBe(`pixelstream-signalserver:${KIT_VERSION}`);
  });

  it('Pod Security: every pod in NAMESPACE meets restricted; TURN (host network) lives in its own namespace', () => {
    const pods = workloads(s);
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const w of pods) {
      const problems = restrictedProblems(podSpec(w));
      if (w.metadata?.namespace === c.NAMESPACE) expect(problems, `${w.kind}/${w.metadata.name}`).toEqual([]);
      else expect(problems).toContain('hostNetwork');
    }
    expect(c.TURN_NAMESPACE).not.toBe(c.NAMESPACE);
  });

  it('no Secret objects, no secret values in ConfigMaps, no static TURN password anywhere', () => {
    expect(s.objects.filter((o) => o.kind === 'Secret')).toHaveLength(0);
    const configMaps = JSON.stringify(s.objects.filter((o) => o.kind === 'ConfigMap')).toLowerCase();
    for (const word of ['turn_secret', 'password', 'static-auth-secret', 'router_token', 'streamer_token'])
      expect(configMaps, word).not.toContain(word);
    expect(s.text).not.toMatch(/TURN_(USER|PASS|PASSWORD)\b/);
    expect(s.text).not.toMatch(/static-auth-secret|lt-cred-mech|--user[= ]/);
    // Every env var that carries a secret comes from a secretKeyRef.
    for (const w of workloads(s)) {
      for (const k of podSpec(w).containers)
        for (const e of k.env ?? [])
          if (/SECRET|TOKEN|PASS/.test(e.name))
            expect(e.valueFrom?.secretKeyRef, `${w.metadata?.name}/${e.name}`).toBeDefined();
    }
  });
});

describe('custom .env specifics', () => {
  it('puts images under the registry, except one that names its own, with their tags and pull secrets', () => {
    const custom = v.of('custom .env');
    const images = JSON.stringify(custom.objects).match(/"image":"[^"]+"/g);
    expect(new Set(images)).toEqual(
      new Set([
        '"image":"iad.ocir.io/tenancy/unreal:5.5.1"',
        '"image":"registry.example.com:5000/studio/pixelstream-signalserver:latest"',
        `"image":"registry.example.com:5000/studio/pixelstream-turn:${KIT_VERSION}"`,
        // The balloon's and pre-pull's placeholder: Kubernetes' own pause image, as the kubelet uses.
        `"image":"${PAUSE_IMAGE}"`,
      ]),
    );
    // The GPU app's own pull secret beside the kit's, on the pod that pulls both; the kit's elsewhere.
    expect(podSpec(find(custom, 'Deployment', 'streamer')).imagePullSecrets).toEqual([
      { name: 'regcred' },
      { name: 'ocir' },
    ]);
    expect(podSpec(find(custom, 'DaemonSet', 'turn')).imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });
});

describe('.env.example', () => {
  it('documents every key and its values are the defaults', () => {
    const env = kitEnv(EXAMPLE_ENV, {});
    const { KIT_CONFIG_KEYS } = { KIT_CONFIG_KEYS: Object.keys(loadKitConfig({})) };
    for (const key of KIT_CONFIG_KEYS) expect(Object.keys(env), key).toContain(key);
    expect(loadKitConfig(env)).toEqual(loadKitConfig({}));
  });

  it('says which keys MUST be set, and setting them gives pods that start', () => {
    const text = readFileSync(EXAMPLE_ENV, 'utf8');
    expect(text).not.toMatch(/every key is optional/i);
    expect(text).toMatch(/^# MUST set before the first deploy[^\n]*\n#\s+TURN_URLS\b/m);
    // As shipped, the sidecars would exit (TURN_SECRET without TURN_URLS); with TURN_URLS every container starts.
    const shipped = synthNoThrow(text);
    expect(shipped).toEqual([
      'Deployment/streamer container signalserver would exit at start: TURN_URLS=(unset): needed when TURN_SECRET is set (set in .env: TURN_URLS)',
    ]);
    expect(containerProblems(v.of('.env.example').objects)).toEqual([]);
  });
});

/** The problems synthesize() refuses `envText` with ([] when it synthesizes). */
function synthNoThrow(envText: string): string[] {
  try {
    synth(`refused-${Math.random().toString(36).slice(2)}`, envText);
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
}
