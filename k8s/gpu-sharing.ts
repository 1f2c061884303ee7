// What the GPU node side needs for GPU_SHARING and packing, as a chart of its own because its objects belong
// to the cluster's operators, not to the kit's namespace: the NVIDIA device-plugin configuration (read by the
// GPU Operator or the device-plugin Helm chart, see k8s/README.md "Sharing GPUs") and a kube-scheduler
// profile that packs streamer pods onto the fullest GPU node. It is written to its own file, outside the
// kustomize overlay (which would move every object into NAMESPACE).
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { devicePluginConfig, parseGpuSharing } from '../common/gpu-sharing.js';
import type { KitConfig } from '../common/kit-config.js';
import { APP_NAME, PART_OF_LABEL } from './names.js';
import { gpuResource } from './streamer-pool.js';

/** Chart id = file name stem: `pixelstream-gpu.k8s.yaml`. */
export const GPU_CHART_NAME = `${APP_NAME}-gpu`;
/** Key of the kit's entry in the device-plugin ConfigMap: the name `config.default` / the node label selects. */
export const DEVICE_PLUGIN_CONFIG_KEY = APP_NAME;
/** ConfigMap (in kube-system) holding the packing scheduler's configuration file. */
export const PACKING_SCHEDULER_CONFIGMAP = `${APP_NAME}-packing-scheduler`;
export const SCHEDULER_CONFIG_FILE = 'config.yaml';

/**
 * Score weight of the GPU resource against cpu and memory (1 each) in MostAllocated: GPU fill decides where
 * a streamer pod lands; cpu and memory only break ties.
 */
const GPU_SCORE_WEIGHT = 10;

/** A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) with one profile that packs by `resource`. */
export function packingSchedulerConfig(schedulerName: string, resource: string): Record<string, unknown> {
  return {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    leaderElection: { leaderElect: true, resourceNamespace: 'kube-system', resourceName: schedulerName },
    profiles: [
      {
        schedulerName,
        plugins: {
          // Balanced allocation scores spreading; with MostAllocated it would pull pods back onto empty nodes.
          score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] },
        },
        pluginConfig: [
          {
            name: 'NodeResourcesFit',
            args: {
              scoringStrategy: {
                type: 'MostAllocated',
                resources: [
                  { name: resource, weight: GPU_SCORE_WEIGHT },
                  { name: 'cpu', weight: 1 },
                  { name: 'memory', weight: 1 },
                ],
              },
            },
          },
        ],
      },
    ],
  };
}

export class GpuSharingChart extends Chart {
  /** Whether the configuration asks for anything on the node side (else nothing is written). */
  static needed(c: KitConfig): boolean {
    return c.GPU_SHARING !== 'none' || c.GPU_SCHEDULER_NAME !== '';
  }

  constructor(scope: Construct, c: KitConfig) {
    super(scope, GPU_CHART_NAME, { disableResourceNameHashes: true });
    const labels = { [PART_OF_LABEL]: APP_NAME };
    const sharing = parseGpuSharing(c.GPU_SHARING);
    if ('problem' in sharing) throw new Error(sharing.problem);
    const plugin = devicePluginConfig(sharing, c.MIG_STRATEGY);
    if (plugin !== undefined)
      new k8s.KubeConfigMap(this, 'device-plugin', {
        metadata: { name: c.DEVICE_PLUGIN_CONFIGMAP, namespace: c.DEVICE_PLUGIN_NAMESPACE, labels },
        data: { [DEVICE_PLUGIN_CONFIG_KEY]: stringify(plugin) },
      });
    if (c.GPU_SCHEDULER_NAME !== '')
      new k8s.KubeConfigMap(this, 'scheduler', {
        metadata: { name: PACKING_SCHEDULER_CONFIGMAP, namespace: 'kube-system', labels },
        data: {
          [SCHEDULER_CONFIG_FILE]: stringify(packingSchedulerConfig(c.GPU_SCHEDULER_NAME, gpuResource(c))),
        },
      });
  }
}
