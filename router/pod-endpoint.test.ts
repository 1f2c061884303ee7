import { describe, expect, it } from 'vitest';
import { podToEndpoint, type PodLike } from './pod-endpoint.js';

const pod = (
  patch: {
    labels?: Record<string, string>;
    ready?: string;
    phase?: string;
    ip?: string;
    deleting?: boolean;
  } = {},
): PodLike => ({
  metadata: {
    name: 'streamer-abc',
    namespace: 'px',
    labels: patch.labels ?? { 'app.kubernetes.io/component': 'streamer' },
    ...(patch.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: {
    phase: patch.phase ?? 'Running',
    ...(patch.ip === '' ? {} : { podIP: patch.ip ?? '10.4.0.7' }),
    conditions: [{ type: 'Ready', status: patch.ready ?? 'True' }],
  },
});

describe('podToEndpoint', () => {
  it('maps a ready pod to its sidecar URL', () => {
    expect(podToEndpoint(pod(), 8080)).toEqual({ key: 'px/streamer-abc', url: 'http://10.4.0.7:8080' });
  });

  it('carries the allocated label as a hint', () => {
    expect(podToEndpoint(pod({ labels: { 'pixelstream.io/allocated': 'true' } }), 8080)?.allocatedHint).toBe(
      true,
    );
    expect(podToEndpoint(pod({ labels: { 'pixelstream.io/allocated': 'false' } }), 8080)?.allocatedHint).toBe(
      false,
    );
  });

  it('brackets IPv6 addresses', () => {
    expect(podToEndpoint(pod({ ip: 'fd00::7' }), 8080)?.url).toBe('http://[fd00::7]:8080');
  });

  it.each([
    ['not ready', { ready: 'False' }],
    ['pending', { phase: 'Pending' }],
    ['no IP yet', { ip: '' }],
    ['terminating', { deleting: true }],
  ])('leaves out a pod that is %s', (_n, patch) => {
    expect(podToEndpoint(pod(patch), 8080)).toBeUndefined();
  });
});
