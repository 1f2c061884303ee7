// The kustomize overlay and ./kustom.sh, run for real: `kubectl kustomize` renders each test .env's overlay
// (k8s/testing/manifests.ts) with every object valid, its namespace kept and the overlay's labels on objects
// but never on selectors; kustom.sh prints only YAML for a good .env, and refuses a broken, an unstartable,
// a missing and the as-shipped .env with exit 2 and every problem listed. Needs kubectl (skips locally
// without it, fails in CI).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadKitConfig } from '../common/kit-config.js';
import { tempDir } from '../test/support/temp-dir.js';
import { requirements } from '../test/support/tools.js';
import { manifestWarnings } from './manifest-problems.js';
import type { ManifestObject } from './synth.js';
import { CUSTOM_ENV, EXAMPLE_ENV, find, testVariants } from './testing/manifests.js';
import { validate } from './testing/schemas.js';

const v = testVariants('k8s-kustom-');
const defaults = v.of('.env.example');
const attached = v.of('attached to a Gateway');
const custom = v.of('custom .env');
const work = tempDir('k8s-kustom-sh-');

const kubectlOk = requirements(['kubectl']);
describe.skipIf(!kubectlOk)('kustomize overlay', () => {
  it.each([
    ['default', defaults],
    ['attached', attached],
    ['custom', custom],
  ] as const)('kubectl kustomize renders the %s overlay with namespaces kept and labels', (_n, s) => {
    const r = spawnSync('kubectl', ['kustomize', s.dir], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as ManifestObject);
    expect(docs).toHaveLength(s.objects.length);
    for (const d of docs) {
      validate(d);
      expect(d.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kustom.sh');
      const synthesized = s.objects.find((o) => o.kind === d.kind && o.metadata.name === d.metadata.name);
      expect(d.metadata.namespace).toBe(synthesized?.metadata.namespace);
    }
    expect(docs.find((d) => d.kind === 'DaemonSet')?.metadata.namespace).toBe(s.config.TURN_NAMESPACE);
    // Labels are added to objects, never to selectors (that would orphan running pods on upgrade).
    const deploy = find(docs, 'Deployment', 'streamer');
    expect(deploy.spec?.selector.matchLabels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  });
});

// kustom.sh starts node + tsx and kubectl: seconds on a loaded two-core machine, hence the wider limit.
describe.skipIf(!kubectlOk)('kustom.sh', { timeout: 60_000 }, () => {
  const run = (envFile: string, out: string) =>
    spawnSync('./kustom.sh', [], {
      encoding: 'utf8',
      env: { ...process.env, KIT_ENV_FILE: envFile, KIT_OUT_DIR: out, KUBECONFIG: '/dev/null' },
    });

  it('prints the final manifests for a good .env (stdout carries only YAML)', () => {
    const envFile = join(work, 'good.env');
    writeFileSync(envFile, CUSTOM_ENV);
    const r = run(envFile, join(work, 'kustom-good'));
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as ManifestObject);
    expect(docs.length).toBe(custom.objects.length);
    // The synth summary: exactly one line per kind, with its count, and the total.
    const kinds = new Map<string, number>();
    for (const o of custom.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    for (const [kind, n] of kinds)
      expect(r.stderr.match(new RegExp(`^${kind} +${n}  \\S`, 'gm')), kind).toHaveLength(1);
    expect(r.stderr).toContain(`wrote ${custom.objects.length} objects to `);
    // That .env turns the streamer token off: said on every run, once.
    expect(
      r.stderr.match(/^synth: warning: STREAMER_TOKEN_REQUIRED=false: .*Unreal Engine 4\.27.*$/gm),
    ).toHaveLength(1);
    expect(manifestWarnings(defaults.config)).toEqual([]);
    // TURN in the streamers' namespace would need privileged there: said on every run.
    expect(manifestWarnings(loadKitConfig({ TURN_NAMESPACE: 'pixelstream' }))).toEqual([
      expect.stringMatching(/^TURN_NAMESPACE=pixelstream is NAMESPACE: .*privileged/),
    ]);
    // The Unreal wrapper without its Saved folder writable would fail on the read-only root.
    expect(manifestWarnings(attached.config)).toEqual([
      expect.stringMatching(/^STREAMER_WRITABLE_PATHS=\/tmp: an Unreal app writes .*\/Saved/),
    ]);
    expect(
      manifestWarnings(
        loadKitConfig({
          STREAMER_IMAGE: 'pixelstream-unreal',
          STREAMER_WRITABLE_PATHS: '/tmp,/home/ue/app/Game/Saved,/home/ue/.config',
        }),
      ),
    ).toEqual([]);
  });

  it('fails with exit 2 listing every problem of a broken .env', () => {
    const envFile = join(work, 'broken.env');
    writeFileSync(
      envFile,
      'NAMESPACE=Not_Valid\nGPUS_PER_POD=none\nHPA_MIN_REPLICAS=9\nHPA_MAX_REPLICAS=3\nTURN_POOL_LABEL=oops\nHPA_METRIC=available\nNAMSPACE=typo\n',
    );
    const r = run(envFile, join(work, 'kustom-broken'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    for (const key of [
      'NAMESPACE=',
      'GPUS_PER_POD=',
      'HPA_MIN_REPLICAS=',
      'TURN_POOL_LABEL=',
      'HPA_METRIC=',
      'NAMSPACE=',
    ])
      expect(r.stderr, key).toContain(`- ${key}`);
  });

  it('names a misspelt key but never shows its value, which may be a secret', () => {
    const envFile = join(work, 'misspelt.env');
    writeFileSync(
      envFile,
      `${readFileSync(EXAMPLE_ENV, 'utf8')}\nROUTR_TOKEN=a-secret-of-some-length-0123\n`,
    );
    const r = run(envFile, join(work, 'kustom-misspelt'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('- ROUTR_TOKEN=(hidden): not a kit setting (misspelt? see .env.example)');
    expect(r.stderr).not.toContain('a-secret-of-some-length-0123');
  });

  it('refuses .env.example as shipped: the one key it says MUST be set is named', () => {
    const r = run(EXAMPLE_ENV, join(work, 'kustom-example'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      '- Deployment/streamer container signalserver would exit at start: TURN_URLS=(unset): needed when TURN_SECRET is set (set in .env: TURN_URLS)',
    );
    expect(r.stderr.match(/^ {2}- /gm)).toHaveLength(1);
  });

  it("refuses a .env whose pods would not start, every problem at once: kit rules and each container's own checker", () => {
    const envFile = join(work, 'unstartable.env');
    // A bad namespace and a realm coturn refuses (kit rules: the realm's rule is the TURN entrypoint's own),
    // no TURN_URLS (the sidecar's checker, run on the env the manifests give it).
    writeFileSync(envFile, 'NAMESPACE=Bad_Name\nTURN_REALM=my realm!\nGATEWAY_PARENT=no-slash\n');
    const r = run(envFile, join(work, 'kustom-unstartable'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems).toEqual([
      '  - NAMESPACE="Bad_Name": must be a DNS-1123 label',
      '  - GATEWAY_PARENT="no-slash": must be namespace/name of a Gateway',
      '  - TURN_REALM="my realm!": must be letters, digits, dots and dashes',
      '  - Deployment/streamer container signalserver would exit at start: TURN_URLS=(unset): needed when TURN_SECRET is set (set in .env: TURN_URLS)',
    ]);
  });

  it('fails clearly when .env is missing', () => {
    const r = run(join(work, 'absent.env'), join(work, 'kustom-absent'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/absent\.env not found.*\.env\.example/);
  });
});
