// The .env files of the warm-capacity and KEDA tests (balloon, pre-pull, KEDA): KEDA with a pre-warming
// schedule and two balloons, and both warm-capacity objects switched off.
import { EXAMPLE_ADDITIONS } from './manifests.js';

export const KEDA_ENV = `${EXAMPLE_ADDITIONS}AUTOSCALER=keda\nPREWARM_SCHEDULE=17:30-21:00=12,22:00-24:00=4\nBALLOON_PODS=2\nNAMESPACE=games\n`;
export const BARE_ENV = `${EXAMPLE_ADDITIONS}BALLOON_PODS=0\nPREPULL_IMAGES=false\n`;
