import { describe, expect, it } from 'vitest';
import { formatGpuSharing, gpuResourceName, parseGpuSharing, streamsPerGpu } from './gpu-sharing.js';

describe('GPU_SHARING', () => {
  it.each([
    ['none', 'none', 'nvidia.com/gpu', 'nvidia.com/gpu', 1],
    ['', 'none', 'nvidia.com/gpu', 'nvidia.com/gpu', 1],
    ['time-slicing:2', 'time-slicing:2', 'nvidia.com/gpu', 'nvidia.com/gpu', 2],
    [' time-slicing:48 ', 'time-slicing:48', 'nvidia.com/gpu', 'nvidia.com/gpu', 48],
    ['mig:1g.10gb', 'mig:1g.10gb', 'nvidia.com/mig-1g.10gb', 'nvidia.com/gpu', undefined],
    ['mig:1g.10gb+me', 'mig:1g.10gb+me', 'nvidia.com/mig-1g.10gb+me', 'nvidia.com/gpu', undefined],
    ['mig:7g.141gb', 'mig:7g.141gb', 'nvidia.com/mig-7g.141gb', 'nvidia.com/gpu', undefined],
  ])('%j → %s, mixed %s, single %s, %s streams per GPU', (text, canonical, mixed, single, perGpu) => {
    const s = parseGpuSharing(text);
    if ('problem' in s) throw new Error(s.problem);
    expect(formatGpuSharing(s)).toBe(canonical);
    expect(gpuResourceName(s, 'mixed')).toBe(mixed);
    expect(gpuResourceName(s, 'single')).toBe(single);
    expect(streamsPerGpu(s)).toBe(perGpu);
  });

  it.each([
    'time-slicing:1',
    'time-slicing:49',
    'time-slicing:x',
    'mig:',
    'mig:9g.10gb',
    'mig:1g10gb',
    'mps:4',
    'shared',
  ])('refuses %j with a problem naming the key', (text) => {
    const s = parseGpuSharing(text);
    expect('problem' in s && s.problem.startsWith(`GPU_SHARING=${JSON.stringify(text)}: `)).toBe(true);
  });
});
