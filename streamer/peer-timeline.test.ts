import { describe, expect, it } from 'vitest';
import { PEER_STAGES, PeerTimeline } from './peer-timeline.js';

describe('PeerTimeline', () => {
  it('reports once, when the last stage arrives, with each stage in ms after joining', () => {
    const t = new PeerTimeline(1_000);
    const done = PEER_STAGES.map((s, i) => t.mark(s, 1_010 + i * 10));
    expect(done).toEqual([false, false, false, false, false, true]);
    expect(t.summary()).toEqual({
      joinedAt: 1_000,
      offerSent: 10,
      answerReceived: 20,
      iceConnected: 30,
      dtlsConnected: 40,
      dataChannelOpen: 50,
      firstKeyframeSent: 60,
    });
  });

  it('keeps the first time of a stage and never reports twice', () => {
    const t = new PeerTimeline(0);
    for (const s of PEER_STAGES) t.mark(s, 5);
    expect(t.mark('offerSent', 99)).toBe(false);
    expect(t.summary().offerSent).toBe(5);
  });

  it('summarises the stages reached so far', () => {
    const t = new PeerTimeline(100);
    t.mark('dataChannelOpen', 180);
    expect(t.summary()).toEqual({ joinedAt: 100, dataChannelOpen: 80 });
  });
});
