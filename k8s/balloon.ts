// Balloon pods: the cluster-autoscaler overprovisioning pattern. BALLOON_PODS placeholder pods (pause
// containers) ask for what one streamer pod asks for — its GPU share, CPU and memory — at a negative
// PriorityClass, so they keep that many GPU nodes up and warm (with the image pulled when PREPULL_IMAGES
// is on). A streamer pod that finds no free GPU preempts a balloon and starts at once on its node; the
// evicted balloon goes pending, and since its priority is above the cluster autoscaler's expendable cutoff
// (-10 by default) it makes the autoscaler add a node for it, which becomes the next warm node.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { PullPolicy } from '../common/kit-config.js';
import { kitContainer } from './containers.js';
import { APP_NAME, commonLabels, selectorLabels } from './names.js';
import { podSecurity, poolPlacement, type NodePool } from './pod-defaults.js';
import { gpuPodResources, type GpuPodRequests } from './streamer-pool.js';

const BALLOON_COMPONENT = 'balloon';
/** Below every workload's default 0, above the cluster autoscaler's expendable cutoff (-10). */
const BALLOON_PRIORITY = -1;
/** Kubernetes' own placeholder image: sleeps, answers signals, a few hundred KiB. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** The pause image's user (nobody). */
const PAUSE_UID = 65535;

/** A pause container running as its image's user, locked down like every kit container. */
export function pauseContainer(pullPolicy: PullPolicy, resources: k8s.ResourceRequirements): k8s.Container {
  const image = { ref: PAUSE_IMAGE, pullPolicy, runAs: { uid: PAUSE_UID, gid: PAUSE_UID } };
  return { ...kitContainer('pause', image), resources };
}

/**
 * The pod-spec fields of a pod that only holds a place on `pool`: no API token, no service links, and gone
 * at once when preempted or deleted.
 */
export function placeholderPod(pool: NodePool): Omit<k8s.PodSpec, 'containers'> {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 0,
    ...poolPlacement(pool),
    securityContext: podSecurity(),
  };
}

/** PriorityClasses are cluster-scoped: one per kit namespace, like the TURN ClusterRoleBinding. */
function balloonPriorityClassName(namespace: string): string {
  return `${APP_NAME}-balloon-${namespace}`;
}

export interface BalloonProps {
  /** Namespace of the balloon Deployment (the streamer pods'). */
  readonly namespace: string;
  /**
   * Balloon pods: warm GPU nodes kept up.
   * @default 1
   */
  readonly replicas?: number;
  /** The GPU node pool, as the streamer pods have it. */
  readonly nodePool: NodePool;
  /** What one streamer pod requests, so the node a balloon holds fits the pod that preempts it. */
  readonly requests: GpuPodRequests;
  /**
   * Scheduler of the balloon pods (the streamer pods').
   * @default undefined (the cluster's default scheduler)
   */
  readonly schedulerName?: string;
  /**
   * Pull policy of the pause image (a pinned tag: pulled once).
   * @default 'IfNotPresent'
   */
  readonly pausePullPolicy?: PullPolicy;
}

export class Balloons extends Construct {
  constructor(scope: Construct, id: string, props: BalloonProps) {
    super(scope, id);
    const priorityClassName = balloonPriorityClassName(props.namespace);
    new ApiObject(this, 'priority', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: priorityClassName, labels: commonLabels(BALLOON_COMPONENT) },
      value: BALLOON_PRIORITY,
      globalDefault: false,
      // A balloon never evicts anything; it only waits to be evicted.
      preemptionPolicy: 'Never',
      description: 'pixelstream balloon pods: warm GPU nodes a streamer pod preempts',
    });
    const labels = commonLabels(BALLOON_COMPONENT);
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: `${APP_NAME}-balloon`, namespace: props.namespace, labels },
      spec: {
        replicas: props.replicas ?? 1,
        selector: { matchLabels: selectorLabels(BALLOON_COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            // Preemption hands the GPU over at once (no grace period).
            ...placeholderPod(props.nodePool),
            priorityClassName,
            ...(props.schedulerName === undefined ? {} : { schedulerName: props.schedulerName }),
            // What one streamer pod requests, so the node it holds fits the pod that preempts it.
            containers: [
              pauseContainer(props.pausePullPolicy ?? 'IfNotPresent', gpuPodResources(props.requests)),
            ],
          },
        },
      },
    });
  }
}
