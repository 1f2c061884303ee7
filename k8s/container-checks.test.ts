// The coturn container's config is checked against the file system its pod would have (its mounts), never the
// synthesizing machine's: a path that happens to be a file here says nothing about the pod.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { containerProblems } from './container-checks.js';
import type { ManifestObject } from './synth.js';
import { find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-container-checks-');
/** A regular file on this machine. */
const HERE = fileURLToPath(import.meta.url);

/** The kit's TURN DaemonSet with `env` added to coturn and `pod` merged into its pod spec. */
function turnWith(env: Record<string, string>, pod: Record<string, unknown> = {}): ManifestObject {
  const ds = structuredClone(find(v.of('.env.example'), 'DaemonSet', 'turn'));
  const spec = ds.spec!.template.spec!;
  const coturn = spec.containers.find((c) => c.name === 'coturn')!;
  coturn.env = [
    ...(coturn.env ?? []).filter((e) => !(e.name in env)),
    ...Object.entries(env).map(([name, value]) => ({ name, value })),
  ];
  Object.assign(coturn, pod.container ?? {});
  if (pod.volumes) spec.volumes = [...(spec.volumes ?? []), ...(pod.volumes as [])];
  return ds as unknown as ManifestObject;
}

describe("coturn's file checks at synthesis", () => {
  it("the kit's TURN DaemonSet passes", () => {
    expect(containerProblems([turnWith({})])).toEqual([]);
  });

  it('TURN_RUN_DIR at a path that is a file on this machine but empty in the pod (an emptyDir below it) passes', () => {
    expect(HERE.startsWith('/')).toBe(true);
    const mounts = { container: { volumeMounts: [{ name: 'tmp', mountPath: '/' }] } };
    // The kit mounts its scratch emptyDir at /tmp; here one at / covers this machine's file too.
    expect(containerProblems([turnWith({ TURN_RUN_DIR: HERE }, mounts)])).toEqual([]);
  });

  it('TLS files: accepted inside a Secret volume, refused in an emptyDir or outside every mount', () => {
    const tls = (dir: string) => ({
      TURN_TLS_CERT_FILE: `${dir}/tls.crt`,
      TURN_TLS_KEY_FILE: `${dir}/tls.key`,
    });
    const withSecret = {
      container: {
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'tls', mountPath: '/etc/turn-tls', readOnly: true },
        ],
      },
      volumes: [{ name: 'tls', secret: { secretName: 'turn-tls' } }],
    };
    expect(containerProblems([turnWith(tls('/etc/turn-tls'), withSecret)])).toEqual([]);
    const refused = (dir: string) =>
      containerProblems([turnWith(tls(dir), withSecret)]).map((p) =>
        p.replace(/^.*would exit at start: /, ''),
      );
    const notReadable = (dir: string) => [
      `TURN_TLS_CERT_FILE="${dir}/tls.crt": not a readable file (mount the TLS Secret)`,
      `TURN_TLS_KEY_FILE="${dir}/tls.key": not a readable file (mount the TLS Secret)`,
    ];
    expect(refused('/tmp')).toEqual(notReadable('/tmp'));
    // Outside every mount: the image's own files, never this machine's (this test's own folder exists here).
    const here = HERE.slice(0, HERE.lastIndexOf('/'));
    expect(refused(here)).toEqual(notReadable(here));
  });
});
