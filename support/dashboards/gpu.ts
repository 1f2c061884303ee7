// A self-contained GPU dashboard on dcgm-exporter's metric names, bundled so a cluster without internet
// access still gets GPU panels (DCGM's own dashboard 12239 is the richer alternative to import).
import { DCGM, DCGM_LABELS as L } from '../../common/metric-names.js';
import { buildDashboard, type PanelSpec } from './panels.js';

export const GPU_DASHBOARD_UID = 'pixelstream-gpu';

/** Streamer pods are the Deployment `streamer`'s: named streamer-<hash>-<hash>. */
const STREAMER_PODS = `${L.pod}=~"streamer-.+"`;

/**
 * What DCGM can and cannot attribute to a pod, shown beside the per-pod panels: the panels alone would
 * look equally trustworthy in every GPU_SHARING mode.
 */
export const ATTRIBUTION_NOTE = [
  '**Per-pod GPU use is only real where a pod has the GPU, or a MIG instance, to itself.**',
  '',
  `- **Whole GPUs** (\`GPU_SHARING=none\`): dcgm-exporter labels each GPU's series with the \`${L.pod}\` holding it, so these panels show each stream's own use.`,
  `- **MIG** (\`GPU_SHARING=mig:…\`): DCGM measures each MIG instance (\`${L.migInstance}\`, \`${L.migProfile}\`) and labels it with its pod: also each stream's own use. GPU utilisation and the video-engine counters are not reported per instance; the engine-active ratio and memory are.`,
  "- **Time-slicing** (`GPU_SHARING=time-slicing:N`): **per-pod use cannot be measured.** DCGM sees one physical GPU; every pod sharing it maps to that GPU, so a pod's series is the whole GPU's figure (repeated for each pod, or shown for one of them only, depending on the exporter version). Read the per-GPU panels above and the stream count per GPU instead; do not add these panels up.",
].join('\n');

export function gpuDashboard(): Record<string, unknown> {
  const where = 'Hostname=~"$node"';
  const perGpu = (title: string, description: string, metric: string, unit: string): PanelSpec => ({
    kind: 'timeseries',
    title,
    description,
    unit,
    queries: [{ expr: `avg by (Hostname, gpu) (${metric}{${where}})`, legend: '{{Hostname}} GPU {{gpu}}' }],
  });
  const perPod = (title: string, description: string, metric: string, unit: string): PanelSpec => ({
    kind: 'timeseries',
    title,
    description: `${description} Not per pod under time-slicing (see the note).`,
    unit,
    queries: [
      {
        expr: `max by (${L.namespace}, ${L.pod}, Hostname, gpu, ${L.migInstance}) (${metric}{${where}, ${STREAMER_PODS}})`,
        legend: `{{${L.pod}}} ({{Hostname}} GPU {{gpu}} {{${L.migInstance}}})`,
      },
    ],
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
      {
        title: 'Per streamer pod (whole GPUs and MIG only)',
        panels: [
          { kind: 'text', width: 24, title: 'What DCGM can attribute to a pod', content: ATTRIBUTION_NOTE },
          perPod('Engine active per pod', "Share of time the graphics/compute engine of the pod's GPU or MIG instance is busy.", DCGM.engineActive, 'percentunit'),
          perPod('Frame buffer used per pod', "GPU memory in use on the pod's GPU or MIG instance.", DCGM.memoryUsed, 'decmbytes'),
        ],
      },
    ],
  });
}
