// Image pre-pull: a DaemonSet on the GPU pool whose init containers are the streamer and sidecar images,
// run only to exit at once (`true`), so every GPU node pulls them as soon as it joins — before the first
// streamer pod lands there, and while a balloon holds it warm. The pod then idles on the pause image with
// almost no resources. Images need `true` on their PATH (Debian, Ubuntu and the kit's images have it).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { pullSecretFor, type KitConfig, type KitImage } from '../common/kit-config.js';
import { pauseContainer } from './balloon.js';
import { APP_NAME, commonLabels, selectorLabels } from './names.js';
import {
  containerSecurity,
  imageOf,
  podSecurity,
  poolSelector,
  poolTolerations,
  pullSecrets,
} from './pod-defaults.js';

export const PREPULL_COMPONENT = 'prepull';
/** A pre-pull container's whole work is to exit. */
export const PREPULL_COMMAND = ['true'];

const tiny: k8s.ResourceRequirements = {
  requests: { cpu: k8s.Quantity.fromString('1m'), memory: k8s.Quantity.fromString('8Mi') },
  limits: { memory: k8s.Quantity.fromString('32Mi') },
};

export interface PrepullProps {
  readonly config: KitConfig;
}

export class ImagePrepull extends Construct {
  constructor(scope: Construct, id: string, props: PrepullProps) {
    super(scope, id);
    const c = props.config;
    const pull = (which: KitImage, name: string): k8s.Container => ({
      name,
      ...imageOf(c, which),
      command: PREPULL_COMMAND,
      resources: tiny,
      securityContext: containerSecurity(c, which),
    });
    const labels = commonLabels(PREPULL_COMPONENT);
    new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: `${APP_NAME}-prepull`, namespace: c.NAMESPACE, labels },
      spec: {
        selector: { matchLabels: selectorLabels(PREPULL_COMPONENT) },
        // A new tag is pulled onto every node in turn, a few at a time.
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('25%') },
        },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 0,
            nodeSelector: poolSelector(c.GPU_POOL_LABEL),
            tolerations: poolTolerations(c.GPU_POOL_TAINT),
            imagePullSecrets: pullSecrets(pullSecretFor(c, 'SIDECAR'), pullSecretFor(c, 'STREAMER')),
            securityContext: podSecurity(),
            initContainers: [pull('STREAMER', 'pull-streamer'), pull('SIDECAR', 'pull-sidecar')],
            containers: [pauseContainer(c, tiny)],
          },
        },
      },
    });
  }
}
