// Every bundled dashboard, by the file name it is written to and shipped under in a ConfigMap.
import type { MonitoringOptions } from '../options.js';
import { gpuDashboard } from './gpu.js';
import { streamingDashboard } from './streaming.js';

export function dashboards(opts: Partial<MonitoringOptions> = {}): Record<string, Record<string, unknown>> {
  return {
    'pixelstream-streaming.json': streamingDashboard(opts),
    'pixelstream-gpu.json': gpuDashboard(),
  };
}
