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
import { kitPools } from './pools.js';
import { Router } from './router.js';
import { StreamerPool } from './streamer-pool.js';
import { Turn } from './turn.js';

export class KitChart extends Chart {
  constructor(scope: Construct, config: KitConfig) {
    // Names are set explicitly (the router, adapter and docs refer to them), so no hash suffixes.
    super(scope, APP_NAME, { disableResourceNameHashes: true });
    const pools = kitPools(config);
    // Construct ids: the rendering pool's are the ones it always had.
    for (const pool of pools) {
      const id = (base: string) => (pool.name === 'streamer' ? base : `${base}-${pool.name}`);
      new StreamerPool(this, id('streamer'), { config, pool });
      if (config.ROUTER_ENABLED) new Router(this, id('router'), { config, pool });
      if (config.AUTOSCALER === 'keda') new KedaScaledObject(this, id('keda'), { config, pool });
      else new Autoscaling(this, id('autoscaling'), { config, pool });
    }
    new Turn(this, 'turn', { config });
    if (config.ENTRY === 'gateway') new PlayerGateway(this, 'gateway', { config, pools });
    else new PlayerIngress(this, 'ingress', { config, pools });
    if (config.BALLOON_PODS > 0) new Balloons(this, 'balloon', { config });
    if (config.PREPULL_IMAGES) new ImagePrepull(this, 'prepull', { config });
    new NetworkPolicies(this, 'network', { config, pools });
    new Monitoring(this, 'monitoring', { config });
  }
}
