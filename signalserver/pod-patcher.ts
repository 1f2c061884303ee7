// Tells the cluster whether this pod's stream is in use, by patching the sidecar's own Pod: a label the
// router and operators can select on, a deletion cost so scale-down removes idle pods first, and a
// safe-to-evict annotation so the cluster autoscaler never drains a node under a live session. Changes are
// debounced (a session start flaps allocated → reserved → allocated), retried with backoff, and run
// entirely off the signalling path: a slow or broken API server delays the marks, never a player.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../common/logger.js';
import { POD_PATCH_CONTENT_TYPE, podMarksPatch } from '../common/pod-marks.js';
import type { SidecarStatus } from '../common/reservation-api.js';

/** What the patcher watches: the sidecar itself (or anything with the same shape). */
export interface AllocationSource {
  status(): SidecarStatus;
  on(event: 'change', listener: (s: SidecarStatus) => void): unknown;
  off?(event: 'change', listener: (s: SidecarStatus) => void): unknown;
}

export interface PodPatcherOptions {
  /** Read for KUBERNETES_SERVICE_HOST/_PORT, POD_NAME, POD_NAMESPACE. @default process.env */
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
  onPatch?: (result: 'ok' | 'error') => void;
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
export const POD_PATCH_ERRORS = {
  http: 'POD_PATCH_HTTP_STATUS',
  network: 'POD_PATCH_NETWORK',
  timeout: 'POD_PATCH_TIMEOUT',
  token: 'POD_PATCH_TOKEN_UNREADABLE',
} as const;

class PatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Target {
  url: URL;
  namespace: string;
  podName: string;
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
  return { url, namespace, podName };
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
  const debounceMs = options.debounceMs ?? 250;
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const tokenFile = options.tokenFile ?? `${SERVICE_ACCOUNT_DIR}/token`;
  const caFile = options.caFile ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`;
  const log = logger.child({ pod: target.podName, namespace: target.namespace });

  let desired = isAllocated(source.status());
  let applied: boolean | undefined; // what the API server last accepted; unknown at start
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let abortInFlight: (() => void) | undefined;
  let retryDelay = retryInitialMs;
  let backingOff = false; // the pending timer is a retry: changes must not cut its backoff short
  let stopped = false;
  let factsSent = false;

  const schedule = (delayMs: number) => {
    if (stopped || inFlight !== undefined) return; // a running attempt re-checks `desired` when it ends
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, delayMs);
    timer.unref();
  };

  const fire = () => {
    timer = undefined;
    backingOff = false;
    if (stopped || desired === applied) return;
    const sending = desired;
    const controller = new AbortController();
    abortInFlight = () => controller.abort();
    inFlight = sendPatch(target, sending, tokenFile, caFile, timeoutMs, controller.signal).then(
      (body) => {
        applied = sending;
        const facts = factsSent ? undefined : podFacts(body);
        if (facts !== undefined && options.onPodFacts !== undefined) {
          factsSent = true;
          options.onPodFacts(facts);
        }
        retryDelay = retryInitialMs;
        options.onPatch?.('ok');
        log.debug({ allocated: sending }, 'pod allocation marks patched');
        finish(debounceMs, false);
      },
      (err: unknown) => {
        options.onPatch?.('error');
        const e = err instanceof PatchError ? err : new PatchError(POD_PATCH_ERRORS.network, String(err));
        if (!stopped)
          log.warn(
            { code: e.code, status: e.status, err: e.message, retryInMs: retryDelay },
            'pod patch failed; retrying',
          );
        const delay = retryDelay;
        retryDelay = Math.min(retryDelay * 2, retryMaxMs);
        finish(delay, true);
      },
    );
  };

  const finish = (nextDelayMs: number, retry: boolean) => {
    inFlight = undefined;
    abortInFlight = undefined;
    if (desired === applied) return;
    schedule(nextDelayMs);
    backingOff = retry;
  };

  const onChange = (s: SidecarStatus) => {
    const next = isAllocated(s);
    if (next === desired) return;
    desired = next;
    // While a retry is pending keep its backoff (it sends the latest state); otherwise restart the quiet period.
    if (!backingOff) schedule(debounceMs);
  };

  source.on('change', onChange);
  schedule(0); // mark the pod's current state at start (a restarted sidecar may find stale marks)
  log.info({ api: target.url.origin }, 'pod allocation marks enabled');

  return {
    async stop() {
      stopped = true;
      source.off?.('change', onChange);
      if (timer !== undefined) clearTimeout(timer);
      abortInFlight?.();
      await inFlight;
    },
  };
}

function isAllocated(s: SidecarStatus): boolean {
  return s.allocated || s.reserved;
}

function sendPatch(
  target: Target,
  allocated: boolean,
  tokenFile: string,
  caFile: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    return Promise.reject(
      new PatchError(POD_PATCH_ERRORS.token, `cannot read ${tokenFile}: ${(err as Error).message}`),
    );
  }
  const body = JSON.stringify(podMarksPatch(allocated));
  const https = target.url.protocol === 'https:';
  let ca: Buffer | undefined;
  if (https) {
    try {
      ca = readFileSync(caFile);
    } catch {
      ca = undefined; // fall back to the system trust store (an API server with a public certificate)
    }
  }
  return new Promise<string>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      target.url,
      {
        method: 'PATCH',
        headers: {
          'content-type': POD_PATCH_CONTENT_TYPE,
          'content-length': Buffer.byteLength(body),
          accept: 'application/json',
          authorization: `Bearer ${token}`,
        },
        timeout: timeoutMs,
        signal,
        ...(ca !== undefined ? { ca } : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c); // a Pod is a few KiB; never buffer without bound
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(Buffer.concat(chunks).toString('utf8'));
          else
            reject(
              new PatchError(
                POD_PATCH_ERRORS.http,
                `${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
                status,
              ),
            );
        });
        res.on('error', (err) => reject(new PatchError(POD_PATCH_ERRORS.network, err.message)));
      },
    );
    req.on('timeout', () =>
      req.destroy(new PatchError(POD_PATCH_ERRORS.timeout, `no answer within ${timeoutMs} ms`)),
    );
    req.on('error', (err) =>
      reject(err instanceof PatchError ? err : new PatchError(POD_PATCH_ERRORS.network, err.message)),
    );
    req.end(body);
  });
}
