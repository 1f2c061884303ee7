// The pre-warming schedule: parsed windows and the minimum they ask for at a time of day.
import { describe, expect, it } from 'vitest';
import { parsePrewarmSchedule, scheduledMinimum } from './prewarm-schedule.js';

describe('prewarm schedule', () => {
  it('parses windows and takes the largest minimum where they overlap', () => {
    const w = parsePrewarmSchedule(['17:30-21:00=12', '20:00-24:00=4']);
    expect(w).toEqual([
      { startMinute: 1050, endMinute: 1260, replicas: 12 },
      { startMinute: 1200, endMinute: 1440, replicas: 4 },
    ]);
    if ('problems' in w) throw new Error('unexpected problems');
    expect(scheduledMinimum(w, 17 * 3600 + 29 * 60)).toBe(0);
    expect(scheduledMinimum(w, 17.5 * 3600)).toBe(12);
    expect(scheduledMinimum(w, 20.5 * 3600)).toBe(12);
    expect(scheduledMinimum(w, 21 * 3600)).toBe(4);
    expect(scheduledMinimum(w, 24 * 3600 + 17.5 * 3600)).toBe(12); // the next day
    expect(scheduledMinimum(w, 86_400)).toBe(0);
  });

  it('reports every bad entry', () => {
    expect(parsePrewarmSchedule(['25:00-26:00=1', '10:00-09:00=2', 'soon', '10:00-10:60=1'])).toEqual({
      problems: [
        '"25:00-26:00=1": times must lie within 00:00-24:00',
        '"10:00-09:00=2": the end must come after the start (split a window at midnight)',
        '"soon" is not HH:MM-HH:MM=N',
        '"10:00-10:60=1": times must lie within 00:00-24:00',
      ],
    });
  });
});
