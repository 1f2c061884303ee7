import { describe, expect, it } from 'vitest';
import { clampReplicas, desiredForAverageValue, desiredForValue } from './hpa-math.js';

describe('HPA arithmetic for Object metrics', () => {
  it('AverageValue 1 on pixelstream_demand gives allocated + queued + buffer replicas', () => {
    // buffer 2, 5 allocated, nothing queued → demand 7 → 7 replicas, whatever runs now.
    expect(desiredForAverageValue(3, 7, 1)).toBe(7);
    expect(desiredForAverageValue(12, 7, 1)).toBe(7);
    // 3 players queued on top → 10.
    expect(desiredForAverageValue(7, 10, 1)).toBe(10);
  });

  it('AverageValue keeps the count inside the tolerance band and leaves it outside', () => {
    expect(desiredForAverageValue(10, 10.9, 1)).toBe(10); // ratio 1.09
    expect(desiredForAverageValue(10, 11.5, 1)).toBe(12); // ratio 1.15
    expect(desiredForAverageValue(10, 9.1, 1)).toBe(10);
    expect(desiredForAverageValue(10, 8.5, 1)).toBe(9);
    expect(desiredForAverageValue(0, 3, 1)).toBe(3);
  });

  it('Value target scales the ready pods proportionally with a 10 % dead band', () => {
    expect(desiredForValue(4, 4, 2, 1)).toBe(8);
    expect(desiredForValue(4, 4, 0.5, 1)).toBe(2);
    expect(desiredForValue(4, 4, 1.05, 1)).toBe(4);
    expect(desiredForValue(4, 4, 0.95, 1)).toBe(4);
    expect(desiredForValue(0, 0, 2.5, 1)).toBe(3);
  });

  it('Value target multiplies by ready pods, not by the replica count', () => {
    // 6 replicas, one without its streamer (not Ready): 5 × 2 = 10, not 12.
    expect(desiredForValue(6, 5, 2, 1)).toBe(10);
    // Nothing Ready yet: the proposal collapses to 0 (the min clamp then applies).
    expect(desiredForValue(3, 0, 2, 1)).toBe(0);
    // Inside the band the replica count stays, whatever is Ready.
    expect(desiredForValue(6, 2, 1.05, 1)).toBe(6);
  });

  it('Value target: ratio 0.9 gives ~11 % headroom, not a free stream', () => {
    // 10 pods, 9 players → ratio 0.9: steady, yet only one free stream per ten.
    expect(desiredForValue(10, 10, 0.9, 0.9)).toBe(10);
    // 2 pods, 2 players (ratio 1.0): 1.0/0.9 = 1.11 → ceil(2 × 1.11) = 3.
    expect(desiredForValue(2, 2, 1.0, 0.9)).toBe(3);
    // 1 pod with its player: 1.11 → 2.
    expect(desiredForValue(1, 1, 1.0, 0.9)).toBe(2);
    expect(desiredForValue(20, 20, 0.95, 0.9)).toBe(20); // inside the band
  });

  it('rejects a non-positive target and clamps to min/max', () => {
    expect(() => desiredForValue(1, 1, 1, 0)).toThrow(RangeError);
    expect(() => desiredForAverageValue(1, 1, -1)).toThrow(RangeError);
    expect(clampReplicas(0, 1, 10)).toBe(1);
    expect(clampReplicas(14, 1, 10)).toBe(10);
    expect(clampReplicas(5, 1, 10)).toBe(5);
  });
});
