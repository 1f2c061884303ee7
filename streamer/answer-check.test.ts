// The SDP answer check against a real werift offer: a real answer and one rejecting the audio pass; broken
// answers are each refused with their reason.
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblem } from './answer-check.js';
import { codecParameters, opusParameters } from './player-peer.js';

/** Our offer (video, audio, data, as a player gets it) and a real answer from a second werift peer. */
async function negotiate(): Promise<{ offer: string; answer: string; close(): Promise<void> }> {
  const us = new RTCPeerConnection({
    codecs: { video: [codecParameters('vp8')], audio: [opusParameters()] },
  });
  us.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  us.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  us.createDataChannel('datachannel');
  await us.setLocalDescription(await us.createOffer());
  const them = new RTCPeerConnection({
    codecs: { video: [codecParameters('vp8')], audio: [opusParameters()] },
  });
  await them.setRemoteDescription(us.localDescription!);
  await them.setLocalDescription(await them.createAnswer());
  return {
    offer: us.localDescription!.sdp,
    answer: them.localDescription!.sdp,
    close: async () => void (await Promise.all([us.close(), them.close()])),
  };
}

/** The answer with its media sections split out, to build broken variants of it. */
function sections(sdp: string): { head: string; media: string[] } {
  const [head, ...media] = sdp.split(/(?=^m=)/m);
  return { head: head!, media };
}

describe('answerProblem', () => {
  let n: Awaited<ReturnType<typeof negotiate>>;
  beforeAll(async () => (n = await negotiate()));
  afterAll(() => n.close());

  it('accepts a real answer', () => {
    expect(answerProblem(n.offer, n.answer)).toBeUndefined();
  });

  it('accepts an answer that rejects the audio (port 0)', () => {
    const { head, media } = sections(n.answer);
    media[1] = media[1]!.replace(/^m=audio \d+/, 'm=audio 0');
    expect(answerProblem(n.offer, head + media.join(''))).toBeUndefined();
  });

  it.each<[string, (a: string) => string, RegExp]>([
    ['garbage', () => 'garbage', /^not SDP/],
    ['an empty string', () => '', /^not SDP/],
    [
      'a session without media',
      () =>
        'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n',
      /^0 media sections, the offer has 3$/,
    ],
    ['a media line without fields', (a) => a.replace(/^m=video .*$/m, 'm=video'), /^unparsable SDP/],
    [
      'a missing section',
      (a) => {
        const s = sections(a);
        return s.head + s.media.slice(0, 2).join('');
      },
      /^2 media sections/,
    ],
    [
      'sections swapped',
      (a) => {
        const s = sections(a);
        return s.head + [s.media[1], s.media[0], s.media[2]].join('');
      },
      /^media section 0 \(video\) answered as audio$/,
    ],
    [
      'another mid',
      (a) => a.replace(/^a=mid:0$/m, 'a=mid:7'),
      /^media section 0 \(video\) has mid 7, the offer has 0$/,
    ],
    [
      'the video rejected',
      (a) => a.replace(/^m=video \d+/m, 'm=video 0'),
      /^media section 0 \(video\) rejected/,
    ],
    [
      'no offered codec',
      (a) => a.replace(/^(m=video \S+ \S+) .*$/m, '$1 45'),
      /accepts none of the offered codecs$/,
    ],
    ['no ICE credentials', (a) => a.replace(/^a=ice-(ufrag|pwd):.*\r?\n/gm, ''), /^no ICE credentials/],
    [
      'no DTLS setup',
      (a) => a.replace(/^a=(setup|fingerprint):.*\r?\n/gm, ''),
      /^media section 0 \(video\) has no DTLS/,
    ],
  ])('refuses %s', (_, mangle, reason) => {
    const answer = mangle(n.answer);
    expect(answer).not.toBe(n.answer);
    expect(answerProblem(n.offer, answer)).toMatch(reason);
  });
});
