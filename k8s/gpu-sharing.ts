// What the GPU node side needs for GPU_SHARING and packing, as a chart of its own because its objects belong
// to the cluster's operators, not to the kit's namespace: the NVIDIA device-plugin configuration (read by the
// GPU Operator or the device-plugin Helm chart, see k8s/README.md "Sharing GPUs") and a kube-scheduler
// profile that packs streamer pods onto the fullest GPU node. It is written to its own file, outside the
// kustomize overlay (which would move every object into NAMESPACE).
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { devicePluginConfig, type GpuSharing, type MigStrategy } from '../common/gpu-sharing.js';
import { APP_NAME, PART_OF_LABEL } from './names.js';

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

export interface GpuSharingProps {
  /** How streamer pods share GPUs (common/gpu-sharing.ts). */
  readonly sharing: GpuSharing;
  /**
   * The device plugin's MIG strategy.
   * @default 'mixed'
   */
  readonly migStrategy?: MigStrategy;
  /** Name and namespace of the device-plugin config ConfigMap (the GPU Operator's). */
  readonly devicePluginConfigMap: { readonly name: string; readonly namespace: string };
  /**
   * A packing scheduler profile: its name and the extended resource it packs by.
   * @default undefined (no scheduler configuration)
   */
  readonly packingScheduler?: { readonly name: string; readonly resource: string };
}

export class GpuSharingChart extends Chart {
  constructor(scope: Construct, props: GpuSharingProps) {
    super(scope, GPU_CHART_NAME, { disableResourceNameHashes: true });
    const labels = { [PART_OF_LABEL]: APP_NAME };
    const plugin = devicePluginConfig(props.sharing, props.migStrategy ?? 'mixed');
    const { name, namespace } = props.devicePluginConfigMap;
    if (plugin !== undefined)
      new k8s.KubeConfigMap(this, 'device-plugin', {
        metadata: { name, namespace, labels },
        data: { [DEVICE_PLUGIN_CONFIG_KEY]: stringify(plugin) },
      });
    const scheduler = props.packingScheduler;
    if (scheduler !== undefined)
      new k8s.KubeConfigMap(this, 'scheduler', {
        metadata: { name: PACKING_SCHEDULER_CONFIGMAP, namespace: 'kube-system', labels },
        data: {
          [SCHEDULER_CONFIG_FILE]: stringify(packingSchedulerConfig(scheduler.name, scheduler.resource)),
        },
      });
  }
}
