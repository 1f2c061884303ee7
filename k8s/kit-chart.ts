// The whole kit as one chart: composition only; every object lives in its own construct.
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { KitConfig } from '../common/kit-config.js';
import { Autoscaling } from './autoscaling.js';
import { Balloons } from './balloon.js';
import { KedaScaledObject } from './keda.js';
import { ImagePrepull } from './prepull.js';
import { PlayerGateway } from './gateway.js';
import { PlayerIngress } from './ingress.js';
import { Monitoring } from './monitoring.js';
import { APP_NAME } from './names.js';
import { NetworkPolicies } from './network-policies.js';
import { Router } from './router.js';
import { StreamerPool } from './streamer-pool.js';
import { Turn } from './turn.js';

export class KitChart extends Chart {
  constructor(scope: Construct, config: KitConfig) {
    // Names are set explicitly (the router, adapter and docs refer to them), so no hash suffixes.
    super(scope, APP_NAME, { disableResourceNameHashes: true });
    new StreamerPool(this, 'streamer', { config });
    new Turn(this, 'turn', { config });
    if (config.ROUTER_ENABLED) new Router(this, 'router', { config });
    if (config.ENTRY === 'gateway') new PlayerGateway(this, 'gateway', { config });
    else new PlayerIngress(this, 'ingress', { config });
    if (config.AUTOSCALER === 'keda') new KedaScaledObject(this, 'keda', { config });
    else new Autoscaling(this, 'autoscaling', { config });
    if (config.BALLOON_PODS > 0) new Balloons(this, 'balloon', { config });
    if (config.PREPULL_IMAGES) new ImagePrepull(this, 'prepull', { config });
    new NetworkPolicies(this, 'network', { config });
    new Monitoring(this, 'monitoring', { config });
  }
}
