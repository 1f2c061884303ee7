// The warning limiter: one warning per key per interval, and a cap on ever-new keys that counts the rest.
import { describe, expect, it } from 'vitest';
import { WARN_BUDGET, WARN_INTERVAL_MS, WarningLimiter } from './warning-limiter.js';

describe('WarningLimiter', () => {
  it('lets one warning per key through each interval', () => {
    const l = new WarningLimiter();
    expect(l.check('TURN_AUTH_REJECTED|1:a', 0).allow).toBe(true);
    expect(l.check('TURN_AUTH_REJECTED|1:a', WARN_INTERVAL_MS - 1).allow).toBe(false);
    expect(l.check('TURN_AUTH_REJECTED|1:b', WARN_INTERVAL_MS - 1).allow).toBe(true);
    expect(l.check('TURN_AUTH_REJECTED|1:a', WARN_INTERVAL_MS).allow).toBe(true);
  });

  it('caps warnings with ever-new keys per interval and reports how many it dropped', () => {
    const l = new WarningLimiter();
    const allowed = Array.from({ length: WARN_BUDGET + 30 }, (_, i) => l.check(`k${i}`, 1_000 + i).allow);
    expect(allowed.filter(Boolean)).toHaveLength(WARN_BUDGET);
    expect(allowed.slice(0, WARN_BUDGET).every(Boolean)).toBe(true);
    // The next window's first warning carries the count of the dropped ones, once.
    expect(l.check('next', 1_000 + WARN_INTERVAL_MS)).toEqual({ allow: true, suppressed: 30 });
    expect(l.check('after', 1_000 + WARN_INTERVAL_MS)).toEqual({ allow: true, suppressed: 0 });
  });
});
