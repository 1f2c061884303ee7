// WorkloadIdentity on its own: the three objects it writes for a namespaced and for a cluster-wide grant,
// each validated against the Kubernetes schemas, with the binding pointing at the role it wrote; then the
// kit's identities as synthesized, each with exactly the rules its workload's calls need.
import { Chart, Testing } from 'cdk8s';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { ROUTER_RBAC_RULES, SIDECAR_RBAC_RULES } from '../common/pod-marks.js';
import { all, find, testVariants } from './testing/manifests.js';
import { TURN_RBAC_RULES } from './turn.js';
import { WorkloadIdentity, type RbacRule, type WorkloadIdentityProps } from './workload-identity.js';

const RULES = [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }] as const;
const LABELS = { 'app.kubernetes.io/name': 'demo' };

interface Synthesized {
  readonly identity: WorkloadIdentity;
  readonly kinds: string[];
  readonly objects: unknown[];
  readonly sa: coreV1.ServiceAccount;
}

/** Synthesizes one WorkloadIdentity; its first object, the ServiceAccount, comes back validated. */
function synth(props: WorkloadIdentityProps): Synthesized {
  const chart = new Chart(Testing.app(), 'test');
  const identity = new WorkloadIdentity(chart, 'identity', props);
  const objects = Testing.synth(chart);
  const sa = new coreV1.ServiceAccount(objects[0] as coreV1.IServiceAccount);
  sa.validate();
  expect(sa.metadata).toEqual({ name: props.name, namespace: props.namespace, labels: props.labels });
  return { identity, kinds: objects.map((o) => (o as { kind: string }).kind), objects, sa };
}

describe('WorkloadIdentity', () => {
  it('namespaced: ServiceAccount, Role and RoleBinding of one name; no token by default', () => {
    const { identity, kinds, objects, sa } = synth({
      name: 'demo',
      namespace: 'ns',
      labels: LABELS,
      rules: RULES,
    });
    expect(kinds).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    const role = new rbacV1.Role(objects[1] as rbacV1.IRole);
    const binding = new rbacV1.RoleBinding(objects[2] as rbacV1.IRoleBinding);
    for (const o of [role, binding]) {
      o.validate();
      expect(o.metadata).toEqual({ name: 'demo', namespace: 'ns', labels: LABELS });
    }
    expect(identity.serviceAccountName).toBe('demo');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'demo', namespace: 'ns' }]);
  });

  it('cluster-wide: ClusterRole and ClusterRoleBinding under clusterRoleName, bound to the namespaced account', () => {
    const { kinds, objects, sa } = synth({
      name: 'demo',
      namespace: 'ns',
      labels: LABELS,
      rules: RULES,
      automountToken: true,
      clusterRoleName: 'demo-ns',
    });
    expect(kinds).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
    const role = new rbacV1.ClusterRole(objects[1] as rbacV1.IClusterRole);
    const binding = new rbacV1.ClusterRoleBinding(objects[2] as rbacV1.IClusterRoleBinding);
    for (const o of [role, binding]) o.validate();
    expect(sa.automountServiceAccountToken).toBe(true);
    expect(role.metadata).toEqual({ name: 'demo-ns', labels: LABELS });
    expect(binding.metadata).toEqual({ name: 'demo-ns', labels: LABELS });
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'demo-ns',
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'demo', namespace: 'ns' }]);
  });
});

// Every identity as synthesized from each test .env (k8s/testing/manifests.ts): each ServiceAccount has
// exactly what its workload calls, in its namespace.
const v = testVariants('k8s-identity-');

describe.each(v.rows)('identities (%s)', (_label, s) => {
  const c = s.config;

  it('RBAC: each ServiceAccount has exactly what its workload calls, in its namespace', () => {
    const rulesOf = (o: { rules?: rbacV1.IPolicyRule[] }) =>
      o.rules?.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));
    const plain = (rules: readonly RbacRule[]) =>
      rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
    // The pod patcher's calls: PATCH on its own pod and a list of the pods on its node (asserted in
    // signalserver/pod-patcher.test.ts). Nothing cluster-wide, no watch, no writes beyond patch.
    expect(rulesOf(find(s, 'Role', 'streamer'))).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['patch', 'list'] },
    ]);
    expect(rulesOf(find(s, 'Role', 'streamer'))).toEqual(plain(SIDECAR_RBAC_RULES));
    expect(find(s, 'RoleBinding', 'streamer').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'streamer', namespace: c.NAMESPACE },
    ]);
    const turnRole = find(s, 'ClusterRole', `pixelstream-turn-${c.NAMESPACE}`);
    expect(rulesOf(turnRole)).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);
    expect(rulesOf(turnRole)).toEqual(plain(TURN_RBAC_RULES));
    expect(all(s, 'ClusterRole')).toHaveLength(1);
    if (c.ROUTER_ENABLED) {
      // The router's informer lists and watches (asserted in router/kubernetes-discovery.e2e.test.ts).
      expect(rulesOf(find(s, 'Role', 'router'))).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      ]);
      expect(rulesOf(find(s, 'Role', 'router'))).toEqual(plain(ROUTER_RBAC_RULES));
    } else expect(s.objects.some((o) => o.metadata.name === 'router')).toBe(false);
    // Tokens are mounted only where the API is used.
    expect(find(s, 'ServiceAccount', 'streamer').automountServiceAccountToken).toBe(false);
    expect(find(s, 'ServiceAccount', 'turn').automountServiceAccountToken).toBe(true);
  });
});
