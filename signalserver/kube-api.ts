// One call to the Kubernetes API server from inside a pod: bearer token re-read from its projected file each
// time (kubelet rotates it), the cluster CA, a time limit and an abort signal. Failures carry a stable code
// `<PREFIX>_HTTP_STATUS | _NETWORK | _TIMEOUT | _TOKEN_UNREADABLE`, so each caller logs its own family.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { CodedError } from '../common/index.js';

export class KubeApiError extends CodedError {
  constructor(
    code: string,
    message: string,
    readonly status?: number,
  ) {
    super(code, message);
  }
}

/** The error codes of one caller's family, e.g. kubeErrorCodes('POD_PATCH'). */
export function kubeErrorCodes<P extends string>(prefix: P) {
  return {
    http: `${prefix}_HTTP_STATUS`,
    network: `${prefix}_NETWORK`,
    timeout: `${prefix}_TIMEOUT`,
    token: `${prefix}_TOKEN_UNREADABLE`,
  } as const;
}
export type KubeErrorCodes = ReturnType<typeof kubeErrorCodes>;

export interface KubeCall {
  readonly method: 'GET' | 'PATCH';
  readonly url: URL;
  /** Request body and its content type (PATCH). */
  readonly body?: { readonly text: string; readonly contentType: string };
  readonly tokenFile: string;
  readonly caFile: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The most of an answer kept; a longer one is cut (and will not parse). */
  readonly maxAnswerBytes: number;
  readonly codes: KubeErrorCodes;
}

/** Resolves with the answer body of a 2xx; rejects with a coded KubeApiError otherwise. */
export async function kubeCall(call: KubeCall): Promise<string> {
  const { codes } = call;
  let token: string;
  try {
    token = readFileSync(call.tokenFile, 'utf8').trim();
  } catch (err) {
    return Promise.reject(
      new KubeApiError(codes.token, `cannot read ${call.tokenFile}: ${(err as Error).message}`),
    );
  }
  const https = call.url.protocol === 'https:';
  let ca: Buffer | undefined;
  if (https) {
    try {
      ca = readFileSync(call.caFile);
    } catch {
      ca = undefined; // fall back to the system trust store (an API server with a public certificate)
    }
  }
  const headers: Record<string, string | number> = {
    accept: 'application/json',
    authorization: `Bearer ${token}`,
  };
  if (call.body !== undefined) {
    headers['content-type'] = call.body.contentType;
    headers['content-length'] = Buffer.byteLength(call.body.text);
  }
  // node:https (TLS) costs megabytes of resident memory once loaded, for the life of the process: load it
  // when the first call needs it, not at start (a sidecar outside a cluster never does).
  const request = https ? (await import('node:https')).request : httpRequest;
  return new Promise<string>((resolve, reject) => {
    const req = request(
      call.url,
      {
        method: call.method,
        headers,
        timeout: call.timeoutMs,
        signal: call.signal,
        ...(ca !== undefined ? { ca } : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < call.maxAnswerBytes) chunks.push(c); // never buffer without bound
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) resolve(text);
          else reject(new KubeApiError(codes.http, `${status}: ${text.slice(0, 300)}`, status));
        });
        res.on('error', (err) => reject(new KubeApiError(codes.network, err.message)));
      },
    );
    req.on('timeout', () =>
      req.destroy(new KubeApiError(codes.timeout, `no answer within ${call.timeoutMs} ms`)),
    );
    req.on('error', (err) =>
      reject(err instanceof KubeApiError ? err : new KubeApiError(codes.network, err.message)),
    );
    req.end(call.body?.text);
  });
}
