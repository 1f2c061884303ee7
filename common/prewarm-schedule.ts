// Scheduled pre-warming: a minimum number of streams per daily time window (UTC), for launches and events
// known in advance. Written `HH:MM-HH:MM=N`, comma-separated, e.g. `17:30-21:00=12,12:00-13:00=4`. The
// manifests turn it into a recording rule (HPA) or KEDA cron triggers, and the simulator into a floor on
// the demand — all three from the windows parsed here.

export interface PrewarmWindow {
  /** minutes after 00:00 UTC, inclusive */
  readonly startMinute: number;
  /** minutes after 00:00 UTC, exclusive; > startMinute (a window does not cross midnight) */
  readonly endMinute: number;
  /** streams to keep (ready or in use) during the window */
  readonly replicas: number;
}

const WINDOW = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})=(\d{1,4})$/;

/** Parses every entry; returns the windows or the problem of each bad entry. */
export function parsePrewarmSchedule(entries: readonly string[]): PrewarmWindow[] | { problems: string[] } {
  const windows: PrewarmWindow[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const m = WINDOW.exec(entry);
    const minute = (h: string | undefined, mm: string | undefined) => Number(h) * 60 + Number(mm);
    if (m === null) {
      problems.push(`${JSON.stringify(entry)} is not HH:MM-HH:MM=N`);
      continue;
    }
    const [, h1, m1, h2, m2, n] = m;
    const startMinute = minute(h1, m1);
    const endMinute = minute(h2, m2);
    const bad = [h1, h2].some((h) => Number(h) > 24) || [m1, m2].some((x) => Number(x) > 59);
    if (bad || startMinute >= 24 * 60 || endMinute > 24 * 60)
      problems.push(`${JSON.stringify(entry)}: times must lie within 00:00-24:00`);
    else if (endMinute <= startMinute)
      problems.push(
        `${JSON.stringify(entry)}: the end must come after the start (split a window at midnight)`,
      );
    else windows.push({ startMinute, endMinute, replicas: Number(n) });
  }
  return problems.length > 0 ? { problems } : windows;
}

/** The scheduled minimum at `secondsOfDay` (UTC): the largest window covering it, else 0. */
export function scheduledMinimum(windows: readonly PrewarmWindow[], secondsOfDay: number): number {
  const minute = Math.floor((((secondsOfDay % 86_400) + 86_400) % 86_400) / 60);
  let best = 0;
  for (const w of windows)
    if (minute >= w.startMinute && minute < w.endMinute) best = Math.max(best, w.replicas);
  return best;
}
