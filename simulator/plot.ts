// A self-contained HTML report: the table, then per policy an inline SVG of replicas, ready pods, allocated
// streams, queue and arrivals over time. No scripts, no external assets — it opens from disk anywhere.
import type { Summary } from './report.js';
import { TABLE_COLUMNS, tableRows } from './report.js';
import type { Series } from './series.js';
import type { SimulationResult } from './simulation.js';

const W = 960;
const H = 260;
const PAD = { l: 48, r: 12, t: 12, b: 28 };
const LINES: { key: keyof Omit<Series, 't'>; label: string; color: string }[] = [
  { key: 'replicas', label: 'replicas (HPA)', color: '#1f77b4' },
  { key: 'ready', label: 'ready pods', color: '#2ca02c' },
  { key: 'allocated', label: 'allocated streams', color: '#ff7f0e' },
  { key: 'queued', label: 'queued players', color: '#d62728' },
  { key: 'nodes', label: 'GPU nodes', color: '#7f7f7f' },
];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function chart(series: Series, yMax: number, arrivalsMax: number): string {
  const n = series.t.length;
  const tMax = Math.max(1, series.t[n - 1] ?? 1);
  const x = (t: number) => PAD.l + ((W - PAD.l - PAD.r) * t) / tMax;
  const y = (v: number) => H - PAD.b - ((H - PAD.t - PAD.b) * v) / yMax;
  const parts: string[] = [];
  // arrivals per sample interval as light bars on the right-hand scale
  const bw = Math.max(1, (W - PAD.l - PAD.r) / Math.max(n, 1));
  series.arrivals.forEach((a, i) => {
    const h = ((H - PAD.t - PAD.b) * a) / Math.max(arrivalsMax, 1);
    parts.push(
      `<rect x="${x(series.t[i]!).toFixed(1)}" y="${(H - PAD.b - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="#9467bd" opacity="0.25"/>`,
    );
  });
  for (const line of LINES) {
    const pts = series[line.key].map((v, i) => `${x(series.t[i]!).toFixed(1)},${y(v).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
  }
  const ticks: string[] = [];
  const hours = tMax / 3600;
  const step = hours <= 6 ? 1 : hours <= 48 ? 4 : 24;
  for (let h = 0; h <= hours; h += step)
    ticks.push(
      `<text x="${x(h * 3600).toFixed(1)}" y="${H - 8}" font-size="11" text-anchor="middle">${h}h</text>`,
    );
  for (let v = 0; v <= yMax; v += Math.max(1, Math.ceil(yMax / 5)))
    ticks.push(
      `<text x="${PAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v}</text><line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
    );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img">${ticks.join('')}${parts.join('')}</svg>`;
}

export function renderHtml(
  title: string,
  summaries: readonly Summary[],
  results: readonly SimulationResult[],
  notes: readonly string[],
  /** extra plain-text tables shown under the main one (e.g. the streams-per-GPU comparison) */
  extras: readonly { title: string; text: string }[] = [],
): string {
  const yMax = Math.max(1, ...results.flatMap((r) => LINES.map((l) => Math.max(0, ...r.series[l.key]))));
  const aMax = Math.max(1, ...results.flatMap((r) => r.series.arrivals));
  const head = `<tr>${TABLE_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = tableRows(summaries)
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('');
  const legend =
    LINES.map((l) => `<span style="color:${l.color}">━ ${esc(l.label)}</span>`).join(' ') +
    ' <span style="color:#9467bd">▮ arrivals per interval</span>';
  const charts = results.map((r) => `<h2>${esc(r.policy)}</h2>${chart(r.series, yMax, aMax)}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}h2{font-size:16px;margin:18px 0 4px}</style>
</head><body>
<h1>${esc(title)}</h1>
<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<table>${head}${rows}</table>
${extras.map((e) => `<h2>${esc(e.title)}</h2><pre>${esc(e.text)}</pre>`).join('\n')}
<p>${legend}</p>
${charts}
</body></html>
`;
}
