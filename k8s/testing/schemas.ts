// The official schemas every synthesized object is validated against (Kubernetes' own, and the CRDs' published
// models: Gateway API, prometheus-operator, KEDA), by apiVersion and kind. Shared by the manifest tests.
import * as gatewayV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as schedulingV1 from 'kubernetes-models/scheduling.k8s.io/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import type { ManifestObject } from '../synth.js';

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'monitoring.coreos.com/v1': monitoringV1,
  'gateway.networking.k8s.io/v1': gatewayV1,
  'scheduling.k8s.io/v1': schedulingV1,
  // KEDA's CRD schema, from its published models (AUTOSCALER=keda).
  'keda.sh/v1alpha1': kedaV1alpha1,
};

/** Schema-validates one object with the model class of its apiVersion/kind; throws on any violation. */
export function validate(o: ManifestObject): void {
  const Model = MODELS[o.apiVersion]?.[o.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (Model === undefined) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}
