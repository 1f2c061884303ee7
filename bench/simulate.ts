// `npm run bench:simulate`: simulated hours per wall-second on a day-long trace of 10,000 sessions, per
// policy, median of five runs after one warm-up. A day has to simulate in well under a second for sweeps.
import { performance } from 'node:perf_hooks';
import { loadKitConfig } from '../common/kit-config.js';
import { generateArrivals } from '../simulator/arrivals.js';
import { parseDistribution } from '../simulator/distribution.js';
import { DEFAULT_MODEL } from '../simulator/model.js';
import { resolvePolicies } from '../simulator/policies.js';
import { formatTable } from '../simulator/report.js';
import { simulate } from '../simulator/simulation.js';

const RUNS = 5;
const HOURS = 24;
const SESSIONS = 10_000;
// A pool big enough for 10,000 sessions a day (≈ 100 concurrent at the diurnal peak).
const kit = loadKitConfig({ HPA_MAX_REPLICAS: '400' });
const model = { ...DEFAULT_MODEL, maxNodes: 500 };
const session = parseDistribution('lognormal:600,2400');
// Rate tuned so the diurnal generator yields about SESSIONS arrivals.
const arrivals = generateArrivals({
  pattern: 'diurnal',
  ratePerHour: SESSIONS / HOURS,
  hours: HOURS,
  session,
  seed: 1,
});

const rows: string[][] = [];
for (const policy of resolvePolicies(
  ['original', 'buffer-1', 'buffer-5', 'adaptive', 'configured'],
  kit,
  [],
)) {
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const r = simulate({ arrivals, horizonSeconds: HOURS * 3600, policy, model, seed: 1 });
    const dt = (performance.now() - t0) / 1000;
    if (i > 0) times.push(dt);
    events = r.scaleUps + r.scaleDowns;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  rows.push([
    policy.name,
    String(arrivals.length),
    (median * 1000).toFixed(1),
    (HOURS / median).toFixed(0),
    String(events),
  ]);
}
process.stdout.write(
  `${formatTable(['policy', 'sessions', 'ms per simulated day (median of 5)', 'simulated h / wall s', 'scale events'], rows)}\n`,
);
