// What the pod runner does not emulate, found before anything starts: every field of the pod template is
// checked against the list of fields the runner honours (or, for scheduling, knowingly leaves to a
// scheduler that does not exist here). Anything else is named with its path, all at once, and the run is
// refused — a test must never pass on a pod that a kubelet would have run differently.
import type { PodTemplate } from './pod-spec.js';

/** Fields a scheduler reads, not a kubelet: with one node there is nothing to decide. */
export const SCHEDULING_FIELDS = [
  'nodeSelector',
  'tolerations',
  'affinity',
  'topologySpreadConstraints',
  'priorityClassName',
  'schedulerName',
] as const;

const POD_FIELDS = [
  'containers',
  'volumes',
  'securityContext',
  'terminationGracePeriodSeconds',
  'hostNetwork',
  'dnsPolicy',
  'serviceAccountName',
  'automountServiceAccountToken',
  'enableServiceLinks',
  'restartPolicy',
  ...SCHEDULING_FIELDS,
];
const POD_SECURITY = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'fsGroup',
  'supplementalGroups',
  'seccompProfile',
];
const CONTAINER_FIELDS = [
  'name',
  'image',
  'imagePullPolicy',
  'command',
  'args',
  'workingDir',
  'env',
  'ports',
  'resources',
  'securityContext',
  'startupProbe',
  'readinessProbe',
  'livenessProbe',
  'lifecycle',
  'volumeMounts',
  // Where the kubelet would write a termination message: nothing reads it here.
  'terminationMessagePath',
  'terminationMessagePolicy',
];
const CONTAINER_SECURITY = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'readOnlyRootFilesystem',
  'allowPrivilegeEscalation',
  'privileged',
  'capabilities',
  'seccompProfile',
];
const PROBE_FIELDS = [
  'exec',
  'httpGet',
  'tcpSocket',
  'initialDelaySeconds',
  'periodSeconds',
  'timeoutSeconds',
  'successThreshold',
  'failureThreshold',
];
const HTTP_GET = ['path', 'port', 'scheme', 'httpHeaders'];
/** Downward-API fields the runner can fill. */
export const FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.podIP',
  'status.hostIP',
];
/** Compute resources docker enforces; any other resource needs the caller's explicit waiver. */
const DOCKER_RESOURCES = ['cpu', 'memory'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function extra(o: unknown, allowed: readonly string[], at: string, out: string[]): void {
  if (!isObj(o)) return;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push(`${at}.${k}`);
}

function checkHandler(h: unknown, at: string, probe: boolean, out: string[]): void {
  if (!isObj(h)) return;
  extra(h, probe ? PROBE_FIELDS : ['exec', 'httpGet'], at, out);
  const kinds = ['exec', 'httpGet', 'tcpSocket'].filter((k) => h[k] !== undefined);
  if (kinds.length !== 1) out.push(`${at} (needs exactly one of exec, httpGet${probe ? ', tcpSocket' : ''})`);
  extra(h.exec, ['command'], `${at}.exec`, out);
  extra(h.tcpSocket, ['port'], `${at}.tcpSocket`, out);
  const get = h.httpGet;
  extra(get, HTTP_GET, `${at}.httpGet`, out);
  if (isObj(get) && get.scheme !== undefined && get.scheme !== 'HTTP')
    out.push(`${at}.httpGet.scheme=${JSON.stringify(get.scheme)}`);
}

function checkSecurity(sc: unknown, allowed: string[], at: string, out: string[]): void {
  if (!isObj(sc)) return;
  extra(sc, allowed, at, out);
  if (sc.privileged === true) out.push(`${at}.privileged=true`);
  extra(sc.capabilities, ['add', 'drop'], `${at}.capabilities`, out);
  const seccomp = sc.seccompProfile;
  extra(seccomp, ['type'], `${at}.seccompProfile`, out);
  if (isObj(seccomp) && seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Unconfined')
    out.push(`${at}.seccompProfile.type=${String(seccomp.type)}`);
}

function checkItems(items: unknown, at: string, out: string[]): void {
  if (!Array.isArray(items)) return;
  items.forEach((it, i) => {
    extra(it, ['key', 'path', 'fieldRef', 'mode'], `${at}[${i}]`, out);
    if (isObj(it) && it.mode !== undefined) out.push(`${at}[${i}].mode`);
    if (isObj(it) && isObj(it.fieldRef) && !FIELD_PATHS.includes(String(it.fieldRef.fieldPath)))
      out.push(`${at}[${i}].fieldRef.fieldPath=${String(it.fieldRef.fieldPath)}`);
  });
}

function checkVolume(v: unknown, at: string, out: string[]): void {
  if (!isObj(v)) return;
  extra(v, ['name', 'emptyDir', 'projected', 'secret'], at, out);
  extra(v.emptyDir, ['medium', 'sizeLimit'], `${at}.emptyDir`, out);
  if (isObj(v.emptyDir) && ![undefined, '', 'Memory'].includes(v.emptyDir.medium as string))
    out.push(`${at}.emptyDir.medium=${String(v.emptyDir.medium)}`);
  extra(v.secret, ['secretName', 'defaultMode', 'items', 'optional'], `${at}.secret`, out);
  if (isObj(v.secret)) checkItems(v.secret.items, `${at}.secret.items`, out);
  if (!isObj(v.projected)) return;
  extra(v.projected, ['defaultMode', 'sources'], `${at}.projected`, out);
  const sources = Array.isArray(v.projected.sources) ? (v.projected.sources as unknown[]) : [];
  sources.forEach((s, i) => {
    const sat = `${at}.projected.sources[${i}]`;
    extra(s, ['serviceAccountToken', 'configMap', 'secret', 'downwardAPI'], sat, out);
    if (!isObj(s)) return;
    extra(s.serviceAccountToken, ['path', 'expirationSeconds'], `${sat}.serviceAccountToken`, out);
    extra(s.configMap, ['name', 'items', 'optional'], `${sat}.configMap`, out);
    extra(s.secret, ['name', 'items', 'optional'], `${sat}.secret`, out);
    extra(s.downwardAPI, ['items'], `${sat}.downwardAPI`, out);
    for (const k of ['configMap', 'secret', 'downwardAPI']) {
      const src = s[k];
      if (isObj(src)) checkItems(src.items, `${sat}.${k}.items`, out);
    }
  });
}

function checkContainer(c: Obj, at: string, hostNetwork: boolean, waived: string[], out: string[]): void {
  extra(c, CONTAINER_FIELDS, at, out);
  if (c.imagePullPolicy === 'Always')
    out.push(`${at}.imagePullPolicy=Always (no registry here: only local images can run)`);
  (Array.isArray(c.env) ? (c.env as unknown[]) : []).forEach((e, i) => {
    const eat = `${at}.env[${i}]`;
    extra(e, ['name', 'value', 'valueFrom'], eat, out);
    if (!isObj(e) || !isObj(e.valueFrom)) return;
    extra(e.valueFrom, ['secretKeyRef', 'fieldRef'], `${eat}.valueFrom`, out);
    const f = e.valueFrom.fieldRef;
    if (isObj(f) && !FIELD_PATHS.includes(String(f.fieldPath)))
      out.push(`${eat}.valueFrom.fieldRef.fieldPath=${String(f.fieldPath)}`);
  });
  (Array.isArray(c.ports) ? (c.ports as unknown[]) : []).forEach((p, i) => {
    extra(p, ['containerPort', 'name', 'protocol', 'hostPort'], `${at}.ports[${i}]`, out);
    if (isObj(p) && p.hostPort !== undefined && (!hostNetwork || p.hostPort !== p.containerPort))
      out.push(`${at}.ports[${i}].hostPort (only as the hostNetwork port itself)`);
  });
  const res = c.resources;
  extra(res, ['limits', 'requests'], `${at}.resources`, out);
  for (const kind of ['limits', 'requests'])
    if (isObj(res) && isObj(res[kind]))
      for (const r of Object.keys(res[kind]))
        if (!DOCKER_RESOURCES.includes(r) && !waived.includes(r)) out.push(`${at}.resources.${kind}.${r}`);
  checkSecurity(c.securityContext, CONTAINER_SECURITY, `${at}.securityContext`, out);
  for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe'])
    checkHandler(c[p], `${at}.${p}`, true, out);
  extra(c.lifecycle, ['preStop'], `${at}.lifecycle`, out);
  if (isObj(c.lifecycle)) checkHandler(c.lifecycle.preStop, `${at}.lifecycle.preStop`, false, out);
  (Array.isArray(c.volumeMounts) ? (c.volumeMounts as unknown[]) : []).forEach((m, i) =>
    extra(m, ['name', 'mountPath', 'readOnly'], `${at}.volumeMounts[${i}]`, out),
  );
}

/**
 * Every field of `template` the runner would not honour, as paths (`spec.containers[0].stdin`). Resources
 * other than cpu and memory are refused unless named in `waivedResources` (e.g. `nvidia.com/gpu` on a
 * machine without one: the caller says so, and the container runs without it).
 */
export function unsupportedFields(template: PodTemplate, waivedResources: string[] = []): string[] {
  const out: string[] = [];
  const t = template as unknown as Obj;
  extra(t, ['metadata', 'spec'], 'template', out);
  extra(t.metadata, ['labels', 'annotations'], 'metadata', out);
  const spec = t.spec;
  if (!isObj(spec)) return ['spec (missing)'];
  extra(spec, POD_FIELDS, 'spec', out);
  if (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always')
    out.push(`spec.restartPolicy=${JSON.stringify(spec.restartPolicy)}`);
  if (![undefined, 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default'].includes(spec.dnsPolicy as string))
    out.push(`spec.dnsPolicy=${String(spec.dnsPolicy)}`);
  checkSecurity(spec.securityContext, POD_SECURITY, 'spec.securityContext', out);
  (Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : []).forEach((v, i) =>
    checkVolume(v, `spec.volumes[${i}]`, out),
  );
  const containers = Array.isArray(spec.containers) ? (spec.containers as unknown[]) : [];
  if (containers.length === 0) out.push('spec.containers (none)');
  containers.forEach((c, i) => {
    if (isObj(c)) checkContainer(c, `spec.containers[${i}]`, spec.hostNetwork === true, waivedResources, out);
  });
  return out;
}

/** Throws one error naming every field the runner would not honour. */
export function assertSupported(template: PodTemplate, waivedResources: string[] = []): void {
  const fields = unsupportedFields(template, waivedResources);
  if (fields.length > 0)
    throw new Error(`pod runner: not emulated, refusing to run the pod: ${fields.join(', ')}`);
}
