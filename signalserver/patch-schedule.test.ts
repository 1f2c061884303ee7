// The pod patcher's timing rules as tables: the quiet period, the doubling back-off and its cap, and a
// change that arrives during a back-off. pod-patcher.test.ts runs them once end to end in real time.
import { describe, expect, it } from 'vitest';
import { initialPatchClock, planPatch, type PatchClock, type PatchStep } from './patch-schedule.js';

const timing = { debounceMs: 100, retryInitialMs: 500, retryMaxMs: 3000 };

const change: PatchStep = { on: 'change' };
const fire: PatchStep = { on: 'fire' };
const failed: PatchStep = { on: 'failed', pending: true };
const accepted: PatchStep = { on: 'accepted', pending: false };
const acceptedWhileChanged: PatchStep = { on: 'accepted', pending: true };
const failedButSettled: PatchStep = { on: 'failed', pending: false };

/** One scenario: the steps from the initial clock, and per step the timer armed ('-': none) and the clock after. */
interface Scenario {
  name: string;
  steps: PatchStep[];
  armMs: (number | '-')[];
  retryDelayMs: number[];
  backingOff: boolean[];
}

function run(steps: PatchStep[]): Omit<Scenario, 'name' | 'steps'> {
  let clock: PatchClock = initialPatchClock(timing);
  const trace: Omit<Scenario, 'name' | 'steps'> = { armMs: [], retryDelayMs: [], backingOff: [] };
  for (const step of steps) {
    const plan = planPatch(clock, step, timing);
    clock = plan.clock;
    trace.armMs.push(plan.armMs ?? '-');
    trace.retryDelayMs.push(clock.retryDelayMs);
    trace.backingOff.push(clock.backingOff);
  }
  return trace;
}

const F = false;
const T = true;

describe('pod patch schedule', () => {
  it.each<Scenario>([
    {
      name: 'each change of a burst restarts the quiet period; an accepted call resets nothing else',
      steps: [change, change, change, fire, accepted],
      armMs: [100, 100, 100, '-', '-'],
      retryDelayMs: [500, 500, 500, 500, 500],
      backingOff: [F, F, F, F, F],
    },
    {
      name: 'a failed call is retried after a delay that doubles up to the cap',
      steps: [fire, failed, fire, failed, fire, failed, fire, failed, fire, failed],
      armMs: ['-', 500, '-', 1000, '-', 2000, '-', 3000, '-', 3000],
      retryDelayMs: [500, 1000, 1000, 2000, 2000, 3000, 3000, 3000, 3000, 3000],
      backingOff: [F, T, F, T, F, T, F, T, F, T],
    },
    {
      name: 'a change during a back-off keeps the retry timer; once the retry fires, changes debounce again',
      steps: [fire, failed, change, change, fire, change],
      armMs: ['-', 500, '-', '-', '-', 100],
      retryDelayMs: [500, 1000, 1000, 1000, 1000, 1000],
      backingOff: [F, T, T, T, F, F],
    },
    {
      name: 'an accepted call resets the back-off, and debounces what changed while it ran',
      steps: [fire, failed, fire, failed, fire, acceptedWhileChanged, fire, failed],
      armMs: ['-', 500, '-', 1000, '-', 100, '-', 500],
      retryDelayMs: [500, 1000, 1000, 2000, 2000, 500, 500, 1000],
      backingOff: [F, T, F, T, F, F, F, T],
    },
    {
      name: 'a failed call whose state was changed back to the accepted one arms nothing, yet still backs off',
      steps: [fire, failedButSettled, change],
      armMs: ['-', '-', 100],
      retryDelayMs: [500, 1000, 1000],
      backingOff: [F, F, F],
    },
  ])('$name', ({ steps, armMs, retryDelayMs, backingOff }) => {
    expect(run(steps)).toEqual({ armMs, retryDelayMs, backingOff });
  });
});
