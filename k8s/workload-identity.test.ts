// WorkloadIdentity on its own: the three objects it writes for a namespaced and for a cluster-wide grant,
// each validated against the Kubernetes schemas, with the binding pointing at the role it wrote.
import { Chart, Testing } from 'cdk8s';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { WorkloadIdentity, type WorkloadIdentityProps } from './workload-identity.js';

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
