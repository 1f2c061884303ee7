// Balloon pods: the cluster-autoscaler overprovisioning pattern. BALLOON_PODS placeholder pods (pause
// containers) ask for what one streamer pod asks for — its GPU share, CPU and memory — at a negative
// PriorityClass, so they keep that many GPU nodes up and warm (with the image pulled when PREPULL_IMAGES
// is on). A streamer pod that finds no free GPU preempts a balloon and starts at once on its node; the
// evicted balloon goes pending, and since its priority is above the cluster autoscaler's expendable cutoff
// (-10 by default) it makes the autoscaler add a node for it, which becomes the next warm node.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { APP_NAME, commonLabels, selectorLabels } from './names.js';
import { podSecurity, poolSelector, poolTolerations } from './pod-defaults.js';
import { gpuResource } from './streamer-pool.js';

export const BALLOON_COMPONENT = 'balloon';
/** Below every workload's default 0, above the cluster autoscaler's expendable cutoff (-10). */
export const BALLOON_PRIORITY = -1;
/** Kubernetes' own placeholder image: sleeps, answers signals, a few hundred KiB. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** The pause image's user (nobody). */
const PAUSE_UID = 65535;

/** A pause container running as its image's user, locked down like every kit container. */
export function pauseContainer(c: KitConfig, resources: k8s.ResourceRequirements): k8s.Container {
  return {
    name: 'pause',
    image: PAUSE_IMAGE,
    // A pinned tag: pulled once, unless IMAGE_PULL_POLICY says otherwise for every image.
    imagePullPolicy: c.IMAGE_PULL_POLICY === 'auto' ? 'IfNotPresent' : c.IMAGE_PULL_POLICY,
    resources,
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: PAUSE_UID,
      runAsGroup: PAUSE_UID,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/** PriorityClasses are cluster-scoped: one per kit namespace, like the TURN ClusterRoleBinding. */
export function balloonPriorityClassName(c: KitConfig): string {
  return `${APP_NAME}-balloon-${c.NAMESPACE}`;
}

export interface BalloonProps {
  readonly config: KitConfig;
}

export class Balloons extends Construct {
  constructor(scope: Construct, id: string, props: BalloonProps) {
    super(scope, id);
    const c = props.config;
    const priorityClassName = balloonPriorityClassName(c);
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
      metadata: { name: `${APP_NAME}-balloon`, namespace: c.NAMESPACE, labels },
      spec: {
        replicas: c.BALLOON_PODS,
        selector: { matchLabels: selectorLabels(BALLOON_COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName,
            // Preemption should hand the GPU over at once.
            terminationGracePeriodSeconds: 0,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            nodeSelector: poolSelector(c.GPU_POOL_LABEL),
            tolerations: poolTolerations(c.GPU_POOL_TAINT),
            ...(c.GPU_SCHEDULER_NAME === '' ? {} : { schedulerName: c.GPU_SCHEDULER_NAME }),
            securityContext: podSecurity(),
            // What one streamer pod requests, so the node it holds fits the pod that preempts it.
            containers: [
              pauseContainer(c, {
                requests: {
                  cpu: k8s.Quantity.fromString(c.STREAMER_CPU_REQUEST),
                  memory: k8s.Quantity.fromString(c.STREAMER_MEMORY_REQUEST),
                },
                limits: { [gpuResource(c)]: k8s.Quantity.fromNumber(c.GPUS_PER_POD) },
              }),
            ],
          },
        },
      },
    });
  }
}
