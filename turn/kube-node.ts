// Reads this node's addresses from the Kubernetes API with the pod's service-account token: one
// GET /api/v1/nodes/<name>, verified against the cluster CA. The ClusterRole needs `get` on nodes only.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

export interface KubeApi {
  host: string;
  port: number;
  tokenFile: string;
  caFile: string;
}

export interface NodeAddresses {
  externalIps: string[];
  internalIps: string[];
}

/** How long the API may take before discovery moves on to STUN. */
const REQUEST_TIMEOUT_MS = 5_000;

interface NodeAddress {
  type?: unknown;
  address?: unknown;
}

interface NodeObject {
  status?: { addresses?: unknown } | null;
}

/** `signal` abandons the request at once (the process is stopping): rejects with an AbortError. */
export async function fetchNodeAddresses(
  api: KubeApi,
  nodeName: string,
  { timeoutMs = REQUEST_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<NodeAddresses> {
  const [token, ca] = await Promise.all([
    readFile(api.tokenFile, { encoding: 'utf8', signal }),
    readFile(api.caFile, { signal }),
  ]);
  const host = api.host.includes(':') ? `[${api.host}]` : api.host;
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: api.host,
        port: api.port,
        method: 'GET',
        path: `/api/v1/nodes/${encodeURIComponent(nodeName)}`,
        ca,
        headers: {
          Authorization: `Bearer ${token.trim()}`,
          Accept: 'application/json',
          Host: `${host}:${api.port}`,
        },
        timeout: timeoutMs,
        signal,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 1_000_000) text += chunk;
        });
        res.on('end', () => {
          if (res.statusCode === 200) return resolve(text);
          let reason = text.slice(0, 200);
          try {
            const status = JSON.parse(text) as { message?: unknown };
            if (typeof status.message === 'string') reason = status.message;
          } catch {
            // Not a Kubernetes Status object; keep the raw text.
          }
          const hint = res.statusCode === 403 ? ' (the ClusterRole must grant get on nodes)' : '';
          reject(new Error(`GET /api/v1/nodes/${nodeName} → HTTP ${res.statusCode}: ${reason}${hint}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Kubernetes API did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
  let node: NodeObject | null;
  try {
    node = JSON.parse(body) as NodeObject | null;
  } catch {
    throw new Error('Kubernetes API returned a node that is not JSON');
  }
  // Lenient on shape: anything that is not a list of {type, address} strings is no address at all.
  const list: unknown = node?.status?.addresses;
  const addresses = (Array.isArray(list) ? list : []) as (NodeAddress | null)[];
  const of = (type: string) =>
    addresses
      .filter((a) => typeof a === 'object' && a !== null && a.type === type && typeof a.address === 'string')
      .map((a) => a?.address as string);
  return { externalIps: of('ExternalIP'), internalIps: of('InternalIP') };
}
