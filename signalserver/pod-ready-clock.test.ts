// The cold-start clock: reported once, whichever of creation time and readiness is learnt first, and never
// for a pod whose containers restarted.
import { describe, expect, it } from 'vitest';
import { podReadyClock } from './pod-ready-clock.js';

const created = (createdAtMs: number, restarted = false) => ({ createdAtMs, restarted });

describe('pod ready clock', () => {
  it.each([
    [
      'ready first, then the creation time',
      (c: ReturnType<typeof podReadyClock>) => {
        c.ready(90_000);
        c.created(created(30_000));
      },
    ],
    [
      'creation time first, then ready',
      (c: ReturnType<typeof podReadyClock>) => {
        c.created(created(30_000));
        c.ready(90_000);
      },
    ],
  ])('%s: one report of ready − created', (_name, steps) => {
    const seen: number[] = [];
    const clock = podReadyClock((s) => seen.push(s));
    steps(clock);
    clock.ready(200_000); // later readiness (after a streamer reconnect) is no cold start
    clock.created(created(0));
    expect(seen).toEqual([60]);
  });

  it('reports nothing for a restarted pod, and clamps clock skew at 0', () => {
    const seen: number[] = [];
    const restarted = podReadyClock((s) => seen.push(s));
    restarted.created(created(0, true));
    restarted.ready(500_000);
    const skewed = podReadyClock((s) => seen.push(s));
    skewed.created(created(10_500));
    skewed.ready(10_000);
    expect(seen).toEqual([0]);
  });
});
