// The HPA scaling behavior the kit deploys, derived from the kit config, and the metrics-path timing it
// depends on. The manifests and support/ render them and the simulator replays them, so what was tuned is
// what gets deployed: one definition for both.
import type { KitConfig } from './kit-config.js';

/**
 * prometheus-adapter's `--metrics-relist-interval` (Helm `metricsRelistInterval`): a new pod's series is
 * served only after the next relist. 30 s keeps a fresh pod's metrics within two 15 s scrapes.
 */
export const ADAPTER_RELIST_SECONDS = 30;

export interface HpaScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface HpaScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min';
  readonly policies: readonly HpaScalingPolicy[];
}

export interface HpaBehavior {
  readonly scaleUp: HpaScalingRules;
  readonly scaleDown: HpaScalingRules;
}

/** The kit settings the behavior reads. */
export type HpaBehaviorSettings = Pick<
  KitConfig,
  | 'HPA_SCALE_UP_STABILIZATION_SECONDS'
  | 'HPA_SCALE_UP_PODS'
  | 'HPA_SCALE_UP_PERCENT'
  | 'HPA_SCALE_UP_PERIOD_SECONDS'
  | 'HPA_SCALE_DOWN_STABILIZATION_SECONDS'
  | 'HPA_SCALE_DOWN_PODS'
  | 'HPA_SCALE_DOWN_PERIOD_SECONDS'
>;

export function kitHpaBehavior(c: HpaBehaviorSettings): HpaBehavior {
  return {
    // Up fast: players are waiting. Whichever policy allows more pods wins.
    scaleUp: {
      stabilizationWindowSeconds: c.HPA_SCALE_UP_STABILIZATION_SECONDS,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_UP_PODS, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
        { type: 'Percent', value: c.HPA_SCALE_UP_PERCENT, periodSeconds: c.HPA_SCALE_UP_PERIOD_SECONDS },
      ],
    },
    // Down slowly: a GPU pod takes minutes to come back, and idle pods go first (pod-deletion-cost).
    scaleDown: {
      stabilizationWindowSeconds: c.HPA_SCALE_DOWN_STABILIZATION_SECONDS,
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: c.HPA_SCALE_DOWN_PODS, periodSeconds: c.HPA_SCALE_DOWN_PERIOD_SECONDS },
      ],
    },
  };
}
