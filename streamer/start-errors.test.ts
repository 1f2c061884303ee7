// The streamer process refuses a source it cannot use at start, with a coded reason and exit 1, instead of
// restarting an encoder forever behind a black page.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNode, type RunningProcess } from '../test/support/processes.js';

describe('start-up refusals', () => {
  let streamer: RunningProcess | undefined;
  afterEach(async () => {
    await streamer?.stop('SIGKILL');
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'streamer-start-'));

  async function refusal(env: Record<string, string>) {
    // Nothing listens on port 9: the refusal must come before any signalling.
    streamer = startNode('streamer/main.ts', { STREAMER_URL: 'ws://127.0.0.1:9', ...env });
    const line = await streamer.waitFor((l) => l.msg === 'streamer failed to start', 15_000);
    expect(await streamer.exited).toBe(1);
    expect(streamer.lines.filter((l) => l.msg === 'encoder started')).toEqual([]);
    return line;
  }

  it.each([
    ['a missing file', path.join(dir, 'missing.mp4'), 'no such file'],
    ['a directory', dir, 'not a regular file'],
  ])('file: source that is %s', async (_, file, why) => {
    const line = await refusal({ STREAM_SOURCE: `file:${file}` });
    expect(line).toMatchObject({ code: 'SOURCE_UNREADABLE', err: `STREAM_SOURCE=file:${file}: ${why}` });
  });

  it('a fallback clip that cannot be replayed (no ffmpeg)', async () => {
    const notWebm = path.join(dir, 'clip.webm');
    writeFileSync(notWebm, 'not a WebM file');
    const line = await refusal({ FFMPEG_PATH: '/nonexistent', FALLBACK_CLIP: notWebm });
    expect(line.code).toBe('REPLAY_FAILED');
    expect(String(line.err)).toMatch(/^the VP8 WebM clip could not be replayed: /);
  });
});
