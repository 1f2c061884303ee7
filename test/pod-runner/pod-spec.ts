// The slice of the Kubernetes Pod API the pod runner reads, typed loosely (the manifests are parsed YAML),
// and the lookup of one workload's pod template in the rendered manifests.
import { parseAllDocuments } from 'yaml';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string; apiVersion?: string };
  };
}

export interface HttpGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: string;
  httpHeaders?: Array<{ name: string; value: string }>;
}

export interface Handler {
  exec?: { command: string[] };
  httpGet?: HttpGetAction;
  tcpSocket?: { port: number | string; host?: string };
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
}

export interface PodSecurityContext extends SecurityContext {
  fsGroup?: number;
  supplementalGroups?: number[];
}

export interface ContainerPort {
  containerPort: number;
  name?: string;
  protocol?: string;
  hostPort?: number;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  ports?: ContainerPort[];
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  securityContext?: SecurityContext;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: Handler };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface KeyToPath {
  key?: string;
  path: string;
  fieldRef?: { fieldPath: string; apiVersion?: string };
}

export interface ProjectedSource {
  serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items: KeyToPath[] };
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  projected?: { defaultMode?: number; sources: ProjectedSource[] };
  secret?: { secretName: string; defaultMode?: number; items?: KeyToPath[]; optional?: boolean };
}

export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: PodSecurityContext;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** One workload object of the rendered manifests. */
export interface Workload {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { template: PodTemplate };
}

/** Every object of a multi-document YAML stream (empty documents dropped). */
export function parseManifests(yaml: string): Array<Record<string, unknown>> {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/** The Deployment, DaemonSet or StatefulSet `kind/name` of the manifests; throws naming what exists. */
export function findWorkload(objects: Array<Record<string, unknown>>, kind: string, name: string): Workload {
  const found = objects.find(
    (o) => o.kind === kind && (o.metadata as { name?: string } | undefined)?.name === name,
  );
  if (!found) {
    const have = objects
      .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(String(o.kind)))
      .map((o) => `${String(o.kind)}/${String((o.metadata as { name?: string }).name)}`);
    throw new Error(`pod runner: no ${kind}/${name} in the manifests (workloads: ${have.join(', ')})`);
  }
  return found as unknown as Workload;
}

/** The Secret objects a test gives the runner, as name → key → value. */
export type SecretSet = Record<string, Record<string, string>>;
