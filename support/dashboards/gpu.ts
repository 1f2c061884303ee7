// A self-contained GPU dashboard on dcgm-exporter's metric names, bundled so a cluster without internet
// access still gets GPU panels (DCGM's own dashboard 12239 is the richer alternative to import).
import { DCGM } from '../../common/metric-names.js';
import { buildDashboard, type PanelSpec } from './panels.js';

export const GPU_DASHBOARD_UID = 'pixelstream-gpu';

export function gpuDashboard(): Record<string, unknown> {
  const where = 'Hostname=~"$node"';
  const perGpu = (title: string, description: string, metric: string, unit: string): PanelSpec => ({
    kind: 'timeseries',
    title,
    description,
    unit,
    queries: [{ expr: `avg by (Hostname, gpu) (${metric}{${where}})`, legend: '{{Hostname}} GPU {{gpu}}' }],
  });
  return buildDashboard({
    uid: GPU_DASHBOARD_UID,
    title: 'Pixel Streaming GPUs',
    description: 'GPU utilisation, video engines, memory, temperature and power from dcgm-exporter.',
    tags: ['pixelstream', 'gpu', 'dcgm'],
    variables: [{ name: 'node', label: 'Node', query: `label_values(${DCGM.gpuUtil}, Hostname)`, all: true }],
    rows: [
      {
        title: 'Fleet',
        panels: [
          { kind: 'stat', width: 8, title: 'GPUs', description: 'GPUs reporting to dcgm-exporter.', unit: 'short', queries: [{ expr: `count(${DCGM.gpuUtil}{${where}})`, legend: 'GPUs' }] },
          { kind: 'stat', width: 8, title: 'Average GPU utilisation', description: 'Mean SM utilisation.', unit: 'percent', queries: [{ expr: `avg(${DCGM.gpuUtil}{${where}})`, legend: 'util' }] },
          {
            kind: 'stat',
            width: 8,
            title: 'Total power',
            description: 'Sum of board power draw.',
            unit: 'watt',
            queries: [{ expr: `sum(${DCGM.power}{${where}})`, legend: 'power' }],
          },
        ],
      },
      {
        title: 'Per GPU',
        panels: [
          perGpu('GPU utilisation', 'SM utilisation per GPU.', DCGM.gpuUtil, 'percent'),
          perGpu('Encoder utilisation', 'NVENC utilisation per GPU.', DCGM.encoderUtil, 'percent'),
          perGpu('Decoder utilisation', 'NVDEC utilisation per GPU.', DCGM.decoderUtil, 'percent'),
          {
            kind: 'timeseries',
            title: 'Frame buffer used',
            description: 'Share of GPU memory in use.',
            unit: 'percentunit',
            queries: [
              {
                expr: `avg by (Hostname, gpu) (${DCGM.memoryUsed}{${where}} / (${DCGM.memoryUsed}{${where}} + ${DCGM.memoryFree}{${where}}))`,
                legend: '{{Hostname}} GPU {{gpu}}',
              },
            ],
          },
          perGpu('Temperature', 'GPU temperature.', DCGM.temperature, 'celsius'),
          perGpu('Power', 'Board power draw.', DCGM.power, 'watt'),
        ],
      },
    ],
  });
}
