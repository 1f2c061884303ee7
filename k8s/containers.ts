// What every container of the kit gets, spelled out rather than left to cdk8s-plus defaults: its image
// and the user it runs as, a locked-down security context, named ports, probes that give a slow start
// time, and the small services' resources.
import { k8s } from 'cdk8s-plus-27';
import type { PullPolicy } from '../common/kit-config.js';
import { PORTS, PORT_NAMES } from './names.js';

/**
 * How the kit's HTTP services (the sidecar, the router) listen: on every address of the pod at a named port,
 * with /metrics on the metrics port — the container ports, and the env that tells the program
 * (`<prefix>_PORT`, `<prefix>_HOST`, `METRICS_PORT`).
 */
export function httpListener(
  prefix: string,
  portName: string,
  port: number,
): { tcpPorts: Record<string, number>; env: Record<string, string | number> } {
  return {
    tcpPorts: { [portName]: port, [PORT_NAMES.metrics]: PORTS.metrics },
    env: { [`${prefix}_PORT`]: port, [`${prefix}_HOST`]: '0.0.0.0', METRICS_PORT: PORTS.metrics },
  };
}

/** A user and group id to run a container as. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** One container image, as a pod runs it. */
export interface ImageProps {
  /** Full image reference (registry, name and tag). */
  readonly ref: string;
  readonly pullPolicy: PullPolicy;
  /** The image's user: the container runs as it, never as root. */
  readonly runAs: RunAs;
  /**
   * docker-registry Secret the pod pulls the image with.
   * @default '' (none)
   */
  readonly pullSecret?: string;
}

/**
 * Locked-down container running as its image's user: no privilege escalation, no capabilities (except
 * those named), read-only root. `fileCapabilities` lets a binary's file capability take effect (it turns
 * off no_new_privs): only the capabilities named here can be gained that way.
 */
export function containerSecurity(
  { uid, gid }: RunAs,
  opts: { addCapabilities?: string[]; fileCapabilities?: boolean } = {},
): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: opts.fileCapabilities ?? false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    capabilities: { drop: ['ALL'], ...(opts.addCapabilities?.length ? { add: opts.addCapabilities } : {}) },
  };
}

/**
 * A container of one of the kit's images with its named TCP ports (Services, probes and policies refer to
 * them by name), locked down (containerSecurity) unless `security` says how. The caller adds env, probes,
 * resources and mounts.
 */
export function kitContainer(
  name: string,
  image: ImageProps,
  opts: { tcpPorts?: Record<string, number>; security?: k8s.SecurityContext } = {},
): k8s.Container {
  const ports = Object.entries(opts.tcpPorts ?? {}).map(([portName, port]) => ({
    name: portName,
    containerPort: port,
    protocol: 'TCP',
  }));
  return {
    name,
    image: image.ref,
    imagePullPolicy: image.pullPolicy,
    ...(ports.length === 0 ? {} : { ports }),
    securityContext: opts.security ?? containerSecurity(image.runAs),
  };
}

/**
 * A startup probe from a liveness probe's check: up to a minute (30 × 2 s) to start before liveness takes
 * over. Without it a process that starts slowly on a busy node (a cold image, a loaded CPU) is killed by its
 * liveness probe before it ever listens, and the pod crash-loops.
 */
export function startupProbe(check: k8s.Probe): k8s.Probe {
  return { ...check, periodSeconds: 2, failureThreshold: 30 };
}

/** An HTTP GET check on a named container port. */
export function httpProbe(
  path: string,
  port: string,
  periodSeconds: number,
  timeoutSeconds: number,
): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromString(port) }, periodSeconds, timeoutSeconds };
}

/** A container's three probes: startup from the liveness check, liveness after 3 failures, readiness as given. */
export function healthProbes(
  live: k8s.Probe,
  ready: k8s.Probe,
): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  return {
    startupProbe: startupProbe(live),
    livenessProbe: { ...live, failureThreshold: 3 },
    readinessProbe: ready,
  };
}

/** Requests and memory limit of one of the kit's small service containers (sidecar, router, coturn). */
export function serviceResources(cpu: string, memoryLimit: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString('128Mi') },
    limits: { memory: k8s.Quantity.fromString(memoryLimit) },
  };
}
