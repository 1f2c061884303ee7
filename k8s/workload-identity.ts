// A workload's identity in the cluster: its ServiceAccount, the RBAC rules it may use and the binding
// between them. Namespaced (Role/RoleBinding) unless the rules are about cluster-scoped objects.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './names.js';

/** One RBAC rule, as the kit declares them (`as const` tables next to the code that makes the calls). */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export interface WorkloadIdentityProps {
  /** The ServiceAccount's name (pods name it in `serviceAccountName`); also the Role's and the binding's. */
  readonly name: string;
  /** The namespace of the ServiceAccount (and of the Role and RoleBinding when namespaced). */
  readonly namespace: string;
  /** Labels for all three objects. */
  readonly labels: Record<string, string>;
  /** Everything the workload may do through the API, and nothing more. */
  readonly rules: readonly RbacRule[];
  /**
   * Whether pods of this ServiceAccount get its token mounted by default. Pods that need the token in one
   * container only keep this off and project it there.
   * @default false
   */
  readonly automountToken?: boolean;
  /**
   * Grant the rules cluster-wide: a ClusterRole and ClusterRoleBinding of this name instead of a namespaced
   * Role and RoleBinding. Cluster-scoped names are shared by every install, so they should carry the
   * install's namespace.
   * @default undefined (a Role and RoleBinding named `name` in `namespace`)
   */
  readonly clusterRoleName?: string;
}

export class WorkloadIdentity extends Construct {
  /** The ServiceAccount's name, for the pod template's `serviceAccountName`. */
  readonly serviceAccountName: string;
  /** Whether its pods get the token in every container (the pod template says the same). */
  readonly automountToken: boolean;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const { name, namespace, labels } = props;
    this.serviceAccountName = name;
    this.automountToken = props.automountToken ?? false;

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name, namespace, labels },
      automountServiceAccountToken: this.automountToken,
    });
    const rules = props.rules.map((r) => ({
      apiGroups: [...r.apiGroups],
      resources: [...r.resources],
      verbs: [...r.verbs],
    }));
    const subjects = [{ kind: 'ServiceAccount', name, namespace }];
    const clusterName = props.clusterRoleName;
    if (clusterName === undefined) {
      new k8s.KubeRole(this, 'role', { metadata: { name, namespace, labels }, rules });
      new k8s.KubeRoleBinding(this, 'binding', {
        metadata: { name, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects,
      });
    } else {
      new k8s.KubeClusterRole(this, 'role', { metadata: { name: clusterName, labels }, rules });
      new k8s.KubeClusterRoleBinding(this, 'binding', {
        metadata: { name: clusterName, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
        subjects,
      });
    }
  }
}

/**
 * What each of a kit component's workloads starts from: the labels of its objects, the selector of its pods
 * and its identity (construct id `identity`), labelled like the rest of the component.
 */
export function componentIdentity(
  scope: Construct,
  component: string,
  props: Omit<WorkloadIdentityProps, 'labels'>,
): { identity: WorkloadIdentity; labels: Record<string, string>; selector: Record<string, string> } {
  const labels = commonLabels(component);
  const identity = new WorkloadIdentity(scope, 'identity', { ...props, labels });
  return { identity, labels, selector: selectorLabels(component) };
}
