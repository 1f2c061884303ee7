// The stage breakdown of `bench:stream`: one session's set-up as the page saw it (its own events, see
// player/src/stages.ts) and as the streamer logged it (`player timeline`), both in ms since the page's
// navigation start, and the medians over many sessions printed as one table.
import type { Page } from 'playwright-core';
import { PAGE_STAGES, type StageMarks } from '../player/src/stages.js';
import { PEER_STAGES } from '../streamer/peer-timeline.js';
import type { RunningProcess } from '../test/support/processes.js';
import { median } from './table.js';

/** Stage name → ms since navigation start; page stages as `page:<stage>`, streamer ones as `streamer:<stage>`. */
export type SessionStages = Record<string, number>;

/** The page's stages plus the streamer's, for the player that joined after the streamer's `since`-th line. */
export async function sessionStages(
  page: Page,
  streamer: RunningProcess,
  since: number,
): Promise<SessionStages> {
  const { marks, origin, load } = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const script = performance
      .getEntriesByType('resource')
      .find((e) => /\/player(-\w+)?\.js$/.test(e.name)) as PerformanceResourceTiming | undefined;
    return {
      marks: (window as unknown as { pixelstream: { timing: { stages: StageMarks } } }).pixelstream.timing
        .stages,
      origin: performance.timeOrigin,
      load: {
        documentReceived: nav?.responseEnd,
        scriptRequested: script?.requestStart,
        scriptReceived: script?.responseEnd,
      },
    };
  });
  const out: SessionStages = {};
  for (const [stage, ms] of Object.entries(load)) if (ms) out[`page:${stage}`] = Math.round(ms);
  for (const s of PAGE_STAGES) if (marks[s] !== undefined) out[`page:${s}`] = marks[s];
  const line = await streamer
    .waitFor((l) => l.msg === 'player timeline' && streamer.lines.indexOf(l) >= since, 5_000)
    .catch(() => undefined);
  if (line) {
    const joinedAt = Number(line.joinedAt);
    out['streamer:playerJoined'] = joinedAt - origin;
    for (const s of PEER_STAGES)
      if (typeof line[s] === 'number') out[`streamer:${s}`] = joinedAt + line[s] - origin;
  }
  return out;
}

/** The stages in the order a session goes through them (streamer and page interleaved). */
const ORDER = [
  'page:documentReceived',
  'page:scriptRequested',
  'page:scriptReceived',
  'page:scriptStart',
  'page:signallingOpen',
  'streamer:playerJoined',
  'streamer:offerSent',
  'page:offer',
  'page:answer',
  'streamer:answerReceived',
  'page:iceConnected',
  'streamer:iceConnected',
  'streamer:dtlsConnected',
  'page:dtlsConnected',
  'streamer:firstKeyframeSent',
  'page:dataChannelOpen',
  'streamer:dataChannelOpen',
  'page:firstFrame',
];

/** One table row per stage: median ms since navigation start per column, and the step from the row above. */
export function stageTable(columns: { name: string; sessions: SessionStages[] }[]): string {
  const rows = [
    `| stage (ms since page navigation, p50) | ${columns.map((c) => `${c.name} | step`).join(' | ')} |`,
    `|---|${columns.map(() => '---|---').join('|')}|`,
  ];
  const last = columns.map(() => 0);
  for (const stage of ORDER) {
    const cells = columns.map((c, i) => {
      const values = c.sessions.map((s) => s[stage]).filter((v): v is number => v !== undefined);
      if (values.length === 0) return '– | –';
      const m = median(values);
      const step = m - last[i]!;
      last[i] = m;
      return `${Math.round(m)} | ${step >= 0 ? '+' : ''}${Math.round(step)}`;
    });
    rows.push(`| ${stage} | ${cells.join(' | ')} |`);
  }
  return rows.join('\n') + '\n';
}
