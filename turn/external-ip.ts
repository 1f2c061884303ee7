// Finds the address clients must use to reach this TURN server, in a fixed order: TURN_EXTERNAL_IP, then
// the node's ExternalIP from the Kubernetes API, then a STUN Binding request. When every source fails we
// stop with the list of what was tried: advertising a wrong relay address only shows up later as players
// "stuck at connecting", which is far harder to diagnose than a pod that will not start.
import type { TurnConfig } from './config.js';
import { ipFamily } from '../common/cidr.js';
import { fetchNodeAddresses } from './kube-node.js';
import { unusableRelayAddress } from './relay-address.js';
import type { RelayAddresses } from './render-config.js';
import { stunBinding } from './stun-client.js';
import { CodedError } from '../common/coded-error.js';

export type AddressSource = 'env' | 'kubernetes' | 'stun';

export interface DiscoveredAddresses extends RelayAddresses {
  source: AddressSource;
}

/** Every source failed; `attempts` says what each one answered. */
export class ExternalIpError extends CodedError<'EXTERNAL_IP_UNDISCOVERED'> {
  constructor(readonly attempts: string[]) {
    super(
      'EXTERNAL_IP_UNDISCOVERED',
      `cannot determine the external IP; tried:\n${attempts.map((a) => `  - ${a}`).join('\n')}`,
    );
  }
}

/** IPv4 first: the relay sockets and most players are IPv4. Never an address no player can reach. */
function pick(ips: string[]): string | undefined {
  const usable = ips.filter((ip) => unusableRelayAddress(ip) === undefined);
  return usable.find((ip) => ipFamily(ip) === 4) ?? usable.find((ip) => ipFamily(ip) === 6);
}

/** How a source's addresses read in the attempt list: each with why it was passed over, if it was. */
function described(ips: string[]): string {
  return ips.map((ip) => (unusableRelayAddress(ip) ? `${ip} (${unusableRelayAddress(ip)})` : ip)).join(', ');
}

/** The private half of the pair: the operator's TURN_PRIVATE_IP wins, else what the source observed. */
function pair(
  publicIp: string,
  observedPrivate: string | undefined,
  configured: string | undefined,
  source: AddressSource,
): DiscoveredAddresses {
  const privateIp = configured ?? observedPrivate;
  const usable = privateIp !== undefined && ipFamily(privateIp) === ipFamily(publicIp);
  return { publicIp, privateIp: usable ? privateIp : undefined, source };
}

/**
 * `signal` (aborted when the process is told to stop while it starts) ends the discovery at once: the
 * pending request is abandoned and the promise rejects with the signal's reason, never an ExternalIpError.
 */
export async function discoverAddresses(
  config: TurnConfig,
  signal?: AbortSignal,
): Promise<DiscoveredAddresses> {
  if (config.externalIp) return pair(config.externalIp, undefined, config.privateIp, 'env');

  const attempts = ['TURN_EXTERNAL_IP: not set'];
  if (!config.kube || !config.nodeName) {
    attempts.push(
      `Kubernetes API: skipped (${!config.nodeName ? 'NODE_NAME not set (downward API spec.nodeName)' : 'KUBERNETES_SERVICE_HOST not set (not in a cluster)'})`,
    );
  } else {
    try {
      const node = await fetchNodeAddresses(config.kube, config.nodeName, { signal });
      const external = pick(node.externalIps);
      if (external) {
        const internal = node.internalIps.find((ip) => ipFamily(ip) === ipFamily(external));
        return pair(external, internal, config.privateIp, 'kubernetes');
      }
      attempts.push(
        node.externalIps.length > 0
          ? `Kubernetes API: node ${config.nodeName} has no usable ExternalIP (${described(node.externalIps)})`
          : `Kubernetes API: node ${config.nodeName} has no ExternalIP (InternalIP: ${node.internalIps.join(', ') || 'none'})`,
      );
    } catch (err) {
      signal?.throwIfAborted();
      attempts.push(`Kubernetes API: ${(err as Error).message}`);
    }
  }

  if (!config.stunServer) {
    attempts.push('STUN: skipped (TURN_STUN_SERVER not set)');
  } else {
    const where = `${config.stunServer.host}:${config.stunServer.port}`;
    try {
      const { mapped, localAddress } = await stunBinding(config.stunServer, { signal });
      const unusable = unusableRelayAddress(mapped.address);
      if (unusable === undefined) return pair(mapped.address, localAddress, config.privateIp, 'stun');
      attempts.push(`STUN ${where}: answered ${mapped.address}, which is ${unusable}`);
    } catch (err) {
      signal?.throwIfAborted();
      attempts.push(`STUN ${where}: ${(err as Error).message}`);
    }
  }
  throw new ExternalIpError(attempts);
}
