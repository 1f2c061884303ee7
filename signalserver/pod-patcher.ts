// Tells the cluster whether this pod's stream is in use, by patching the sidecar's own Pod: a label the
// router and operators can select on, a deletion cost so scale-down removes idle pods first, and a
// safe-to-evict annotation so the cluster autoscaler never drains a node under a live session. Changes are
// debounced (a session start flaps allocated → reserved → allocated), retried with backoff, and run
// entirely off the signalling path: a slow or broken API server delays the marks, never a player.
import type { Logger } from '../common/logger.js';
import {
  deletionCost,
  POD_PATCH_CONTENT_TYPE,
  podMarksPatch,
  STREAMER_POD_SELECTOR,
  type NodeFill,
} from '../common/pod-marks.js';
import type { SidecarPodPatchResult } from '../common/metric-names.js';
import type { SidecarStatus } from '../common/reservation-api.js';
import { KubeApiError, kubeCall, kubeErrorCodes } from './kube-api.js';
import { nodeFill, nodePodsUrl, otherPodsOnNode, type OtherPods } from './node-fill.js';
import { initialPatchClock, planPatch, type PatchStep, type PatchTiming } from './patch-schedule.js';

/** What the patcher watches: the sidecar itself (or anything with the same shape). */
export interface AllocationSource {
  status(): SidecarStatus;
  on(event: 'change', listener: (s: SidecarStatus) => void): unknown;
  off?(event: 'change', listener: (s: SidecarStatus) => void): unknown;
}

export interface PodPatcherOptions {
  /** Read for KUBERNETES_SERVICE_HOST/_PORT, POD_NAME, POD_NAMESPACE, NODE_NAME. @default process.env */
  env?: Record<string, string | undefined>;
  /** API server base URL. @default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT */
  apiUrl?: string;
  /** Re-read before every call, because kubelet rotates projected tokens. @default the in-cluster token path */
  tokenFile?: string;
  /** CA bundle of the API server. @default the in-cluster CA path */
  caFile?: string;
  /** Quiet time before a change is sent; only the last state of a burst is patched. @default 250 */
  debounceMs?: number;
  /** First retry delay after a failed patch; doubles up to retryMaxMs. @default 500 */
  retryInitialMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  /** One call's time limit. @default 5000 */
  requestTimeoutMs?: number;
  /** Called after every attempt (feeds SIDECAR.podPatchesTotal). */
  onPatch?: (result: SidecarPodPatchResult) => void;
  /**
   * How often the streamer pods on this node (NODE_NAME) are listed to weigh the deletion cost by the
   * node's fill; a changed fill is patched like a changed allocation. @default 15000
   */
  nodeFillIntervalMs?: number;
  /**
   * Called once, with what the first accepted patch's answer says about the pod: the API server returns the
   * whole Pod, so its creation time costs no extra call (and no RBAC verb beyond `patch`).
   */
  onPodFacts?: (facts: PodFacts) => void;
}

/** What the sidecar learns about its own Pod from a patch answer. */
export interface PodFacts {
  /** metadata.creationTimestamp in epoch milliseconds */
  readonly createdAtMs: number;
  /** true when a container of the pod has restarted (its start is then no cold start) */
  readonly restarted: boolean;
}

/** Reads PodFacts from a Pod's JSON; undefined when the answer is not a Pod with a creation time. */
export function podFacts(body: string): PodFacts | undefined {
  let pod: unknown;
  try {
    pod = JSON.parse(body);
  } catch {
    return undefined;
  }
  const p = pod as {
    metadata?: { creationTimestamp?: unknown };
    status?: { containerStatuses?: { restartCount?: unknown }[] };
  };
  const created = p.metadata?.creationTimestamp;
  const createdAtMs = typeof created === 'string' ? Date.parse(created) : NaN;
  if (!Number.isFinite(createdAtMs)) return undefined;
  const statuses = Array.isArray(p.status?.containerStatuses) ? p.status.containerStatuses : [];
  const restarted = statuses.some((c) => typeof c.restartCount === 'number' && c.restartCount > 0);
  return { createdAtMs, restarted };
}

export interface PodPatcher {
  stop(): Promise<void>;
}

/** The most of an answer kept: the patched Pod (for its creation time) or the start of an error. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Error codes of failed patch attempts, as logged. */
export const POD_PATCH_ERRORS = kubeErrorCodes('POD_PATCH');
/** Error codes of failed node-fill lists, as logged (the cost then keeps the last fill read). */
export const POD_LIST_ERRORS = { ...kubeErrorCodes('POD_LIST'), answer: 'POD_LIST_BAD_ANSWER' } as const;

/** A PodList of the pods on one node: tens of pods of a few KiB each. */
const MAX_LIST_BYTES = 8 * 1024 * 1024;

/** What one patch writes: allocation and, when known, the node's fill (the deletion cost's weight). */
interface Marks {
  readonly allocated: boolean;
  readonly fill: NodeFill | undefined;
}
const marksKey = (m: Marks) => `${m.allocated}/${deletionCost(m.allocated, m.fill)}`;

interface Target {
  url: URL;
  namespace: string;
  podName: string;
  /** spec.nodeName from the downward API; empty = node fill off */
  nodeName: string;
}

function resolveTarget(options: PodPatcherOptions): Target | { missing: string[] } {
  const env = options.env ?? process.env;
  const required = ['POD_NAME', 'POD_NAMESPACE'];
  if (options.apiUrl === undefined) required.push('KUBERNETES_SERVICE_HOST');
  const missing = required.filter((k) => (env[k] ?? '').trim() === '');
  if (missing.length > 0) return { missing };
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const base =
    options.apiUrl ??
    `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const namespace = env.POD_NAMESPACE ?? '';
  const podName = env.POD_NAME ?? '';
  const url = new URL(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`,
    base,
  );
  return { url, namespace, podName, nodeName: (env.NODE_NAME ?? '').trim() };
}

/**
 * Starts patching the pod named by POD_NAME/POD_NAMESPACE whenever `source` changes between allocated and
 * idle. Outside a cluster (no KUBERNETES_SERVICE_HOST, POD_NAME or POD_NAMESPACE) it logs once and does
 * nothing. Never throws after start; failures are logged with a code and retried.
 */
export function startPodPatcher(
  source: AllocationSource,
  options: PodPatcherOptions,
  logger: Logger,
): PodPatcher {
  const target = resolveTarget(options);
  if ('missing' in target) {
    logger.info({ missing: target.missing }, 'not in a Kubernetes cluster: pod allocation marks disabled');
    return { stop: () => Promise.resolve() };
  }
  const timing: PatchTiming = {
    debounceMs: options.debounceMs ?? 250,
    retryInitialMs: options.retryInitialMs ?? 500,
    retryMaxMs: options.retryMaxMs ?? 30_000,
  };
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const tokenFile = options.tokenFile ?? `${SERVICE_ACCOUNT_DIR}/token`;
  const caFile = options.caFile ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`;
  const log = logger.child({ pod: target.podName, namespace: target.namespace });

  const fillIntervalMs = options.nodeFillIntervalMs ?? 15_000;
  let allocatedNow = isAllocated(source.status());
  let others: OtherPods | undefined; // the node's other streamer pods, from the last list that worked
  const desired = (): Marks => ({
    allocated: allocatedNow,
    fill: others === undefined ? undefined : nodeFill(others, allocatedNow),
  });
  let applied: string | undefined; // marksKey of what the API server last accepted; unknown at start
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let abortInFlight: (() => void) | undefined;
  let clock = initialPatchClock(timing); // retry delay, and whether the armed timer is a retry
  let stopped = false;
  let factsSent = false;

  const schedule = (delayMs: number) => {
    if (stopped || inFlight !== undefined) return; // a running attempt re-checks `desired` when it ends
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, delayMs);
    timer.unref();
  };

  /** Applies one scheduling decision (patch-schedule.ts): the new clock, and the timer to arm if any. */
  const step = (s: PatchStep) => {
    const plan = planPatch(clock, s, timing);
    clock = plan.clock;
    if (plan.armMs !== undefined) schedule(plan.armMs);
  };
  const pending = () => marksKey(desired()) !== applied;

  const fire = () => {
    timer = undefined;
    step({ on: 'fire' });
    const sending = desired();
    if (stopped || marksKey(sending) === applied) return;
    const controller = new AbortController();
    abortInFlight = () => controller.abort();
    inFlight = sendPatch(target, sending, tokenFile, caFile, timeoutMs, controller.signal).then(
      (body) => {
        applied = marksKey(sending);
        const facts = factsSent ? undefined : podFacts(body);
        if (facts !== undefined && options.onPodFacts !== undefined) {
          factsSent = true;
          options.onPodFacts(facts);
        }
        options.onPatch?.('ok');
        log.debug(
          { allocated: sending.allocated, cost: deletionCost(sending.allocated, sending.fill) },
          'pod allocation marks patched',
        );
        inFlight = undefined;
        abortInFlight = undefined;
        step({ on: 'accepted', pending: pending() });
      },
      (err: unknown) => {
        options.onPatch?.('error');
        const e = err instanceof KubeApiError ? err : new KubeApiError(POD_PATCH_ERRORS.network, String(err));
        if (!stopped)
          log.warn(
            { code: e.code, status: e.status, err: e.message, retryInMs: clock.retryDelayMs },
            'pod patch failed; retrying',
          );
        inFlight = undefined;
        abortInFlight = undefined;
        step({ on: 'failed', pending: pending() });
      },
    );
  };

  const onChange = (s: SidecarStatus) => {
    const next = isAllocated(s);
    if (next === allocatedNow) return;
    allocatedNow = next;
    step({ on: 'change' });
  };

  // ---- node fill: poll the streamer pods on this node ----
  let pollTimer: NodeJS.Timeout | undefined;
  let abortPoll: (() => void) | undefined;
  let polling: Promise<void> | undefined;
  let listFailing = false;
  const listUrl =
    target.nodeName === ''
      ? undefined
      : nodePodsUrl(target.url, target.namespace, target.nodeName, STREAMER_POD_SELECTOR);
  const poll = (first: boolean) => {
    pollTimer = undefined;
    if (stopped || listUrl === undefined) return;
    const controller = new AbortController();
    abortPoll = () => controller.abort();
    polling = kubeCall({
      method: 'GET',
      url: listUrl,
      tokenFile,
      caFile,
      timeoutMs,
      signal: controller.signal,
      maxAnswerBytes: MAX_LIST_BYTES,
      codes: POD_LIST_ERRORS,
    })
      .then((body) => {
        const counted = otherPodsOnNode(body, target.podName);
        if (counted === undefined)
          throw new KubeApiError(POD_LIST_ERRORS.answer, `not a PodList: ${body.slice(0, 200)}`);
        if (listFailing) log.info({ node: target.nodeName }, 'node fill read again');
        listFailing = false;
        const before = marksKey(desired());
        others = counted;
        if (!first && marksKey(desired()) !== before) step({ on: 'change' });
      })
      .catch((err: unknown) => {
        const e = err instanceof KubeApiError ? err : new KubeApiError(POD_LIST_ERRORS.network, String(err));
        // Once per failing streak: a Role without `list` would otherwise log every interval.
        if (!listFailing && !stopped)
          log.warn(
            { code: e.code, status: e.status, err: e.message, node: target.nodeName },
            'cannot list the streamer pods on this node; the deletion cost keeps the last node fill',
          );
        listFailing = true;
      })
      .finally(() => {
        polling = undefined;
        abortPoll = undefined;
        if (first) schedule(0);
        if (stopped) return;
        pollTimer = setTimeout(() => poll(false), fillIntervalMs);
        pollTimer.unref();
      });
  };

  source.on('change', onChange);
  // Mark the pod's current state at start (a restarted sidecar may find stale marks) — with the node's fill
  // when there is one to read, so the first patch is already the right cost.
  if (listUrl === undefined) schedule(0);
  else poll(true);
  log.info(
    { api: target.url.origin, node: target.nodeName === '' ? undefined : target.nodeName },
    target.nodeName === ''
      ? 'pod allocation marks enabled (no NODE_NAME: deletion cost without node fill)'
      : 'pod allocation marks enabled, weighted by node fill',
  );

  return {
    async stop() {
      stopped = true;
      source.off?.('change', onChange);
      if (timer !== undefined) clearTimeout(timer);
      if (pollTimer !== undefined) clearTimeout(pollTimer);
      abortInFlight?.();
      abortPoll?.();
      await Promise.all([inFlight, polling]);
    },
  };
}

function isAllocated(s: SidecarStatus): boolean {
  return s.allocated || s.reserved;
}

function sendPatch(
  target: Target,
  marks: Marks,
  tokenFile: string,
  caFile: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  return kubeCall({
    method: 'PATCH',
    url: target.url,
    body: {
      text: JSON.stringify(podMarksPatch(marks.allocated, marks.fill)),
      contentType: POD_PATCH_CONTENT_TYPE,
    },
    tokenFile,
    caFile,
    timeoutMs,
    signal,
    maxAnswerBytes: MAX_ANSWER_BYTES, // a Pod is a few KiB
    codes: POD_PATCH_ERRORS,
  });
}
