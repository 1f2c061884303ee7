// A player that answers the offer with a bad SDP is told why and dropped at once (ANSWER_REJECTED), not
// left to time out as PEER_FAILED; a real browser on the same streamer keeps its stream meanwhile.
// The scripted player answers first with garbage, then with well-formed SDP without media.
import { describe, expect, it, vi } from 'vitest';
import { CLOSE } from '../common/index.js';
import { framesDecoded, newPage, waitForFirstFrame } from '../test/support/browser.js';
import { browserPerSuite } from '../test/support/browser-per-suite.js';
import { PlayerClient } from '../test/support/player-client.js';
import { requirements } from '../test/support/tools.js';
import { pairPerSuite } from './testing/pair-per-suite.js';

const ok = requirements(['chromium', 'ffmpeg'], { netns: true });

describe.skipIf(!ok)('a bad SDP answer', () => {
  const chromium = browserPerSuite();
  // A peer timeout longer than the test's own: a player dropped by timeout instead of by the answer
  // check fails the test instead of passing slowly.
  const stack = pairPerSuite({ PEER_CONNECT_TIMEOUT_SECONDS: '600' }, { MAX_PLAYERS_PER_STREAMER: '3' });

  it('drops only the player that sent it, with the reason', async () => {
    const streamer = stack.pair.streamer!;
    const { page } = await newPage(chromium.browser);
    await page.goto(stack.pair.url);
    await waitForFirstFrame(page);
    const watching = String((await streamer.waitFor((l) => l.msg === 'player joined')).playerId);

    const answers: [string, RegExp][] = [
      ['garbage', /^not SDP/],
      // Well-formed SDP, but no media sections: werift alone would take it.
      ['v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n', /^no ICE credentials/],
    ];
    for (const [sdp, reason] of answers) {
      const player = await PlayerClient.connect(`ws://127.0.0.1:${stack.pair.playerPort}/`);
      await player.subscribeAndWaitOffer('DefaultStreamer', 10_000);
      const before = await framesDecoded(page);
      player.answer(sdp);
      const closed = await player.closed;
      expect(closed.code).toBe(CLOSE.disconnectedByStreamer);
      expect(closed.reason).toMatch(/^answer rejected: /);
      expect(closed.reason.slice('answer rejected: '.length)).toMatch(reason);
      const rejected = await streamer.waitFor(
        (l) => l.code === 'ANSWER_REJECTED' && reason.test(String(l.reason)),
      );
      expect(rejected.playerId).not.toBe(watching);
      await streamer.waitFor((l) => l.msg === 'player left' && l.playerId === rejected.playerId);

      // The browser's stream went on.
      await vi.waitFor(async () => expect(await framesDecoded(page)).toBeGreaterThan(before + 15), 10_000);
    }
    expect(streamer.lines.filter((l) => l.code === 'PEER_FAILED')).toEqual([]);
    expect(streamer.lines.filter((l) => l.msg === 'player left' && l.playerId === watching)).toEqual([]);
  });
});
