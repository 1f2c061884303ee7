// Image pre-pull: a DaemonSet on the GPU pool whose init containers are the streamer and sidecar images,
// run only to exit at once (`true`), so every GPU node pulls them as soon as it joins — before the first
// streamer pod lands there, and while a balloon holds it warm. The pod then idles on the pause image with
// almost no resources. Images need `true` on their PATH (Debian, Ubuntu and the kit's images have it).
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { PullPolicy } from '../common/kit-config.js';
import { pauseContainer, placeholderPod } from './balloon.js';
import { APP_NAME, commonLabels, selectorLabels } from './names.js';
import { kitContainer } from './containers.js';
import type { ImageProps } from './containers.js';
import { pullSecrets, type NodePool } from './pod-defaults.js';

const PREPULL_COMPONENT = 'prepull';
/** A pre-pull container's whole work is to exit. */
const PREPULL_COMMAND = ['true'];

const tiny: k8s.ResourceRequirements = {
  requests: { cpu: k8s.Quantity.fromString('1m'), memory: k8s.Quantity.fromString('8Mi') },
  limits: { memory: k8s.Quantity.fromString('32Mi') },
};

export interface PrepullProps {
  /** Namespace of the DaemonSet (the streamer pods'). */
  readonly namespace: string;
  /** The GPU node pool, as the streamer pods have it. */
  readonly nodePool: NodePool;
  /** The streamer pods' GPU app image. */
  readonly app: ImageProps;
  /** The streamer pods' sidecar image. */
  readonly sidecar: ImageProps;
  /**
   * Pull policy of the pause image the pods idle on.
   * @default 'IfNotPresent'
   */
  readonly pausePullPolicy?: PullPolicy;
}

export class ImagePrepull extends Construct {
  constructor(scope: Construct, id: string, props: PrepullProps) {
    super(scope, id);
    const { app, sidecar } = props;
    const pull = (image: ImageProps, name: string): k8s.Container => ({
      ...kitContainer(name, image),
      command: PREPULL_COMMAND,
      resources: tiny,
    });
    const labels = commonLabels(PREPULL_COMPONENT);
    new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: `${APP_NAME}-prepull`, namespace: props.namespace, labels },
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
            ...placeholderPod(props.nodePool),
            imagePullSecrets: pullSecrets(sidecar, app),
            initContainers: [pull(app, 'pull-streamer'), pull(sidecar, 'pull-sidecar')],
            containers: [pauseContainer(props.pausePullPolicy ?? 'IfNotPresent', tiny)],
          },
        },
      },
    });
  }
}
