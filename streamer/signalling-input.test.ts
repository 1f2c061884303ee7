// The streamer process against a hostile signalling server: garbage frames, wrong shapes, unknown types and
// malformed ICE server lists are logged with a code and ignored; the session carries on.
// It still registers, answers ping and sends its token as `?token=`; a `config` with malformed ICE servers
// loses those entries and the next player still gets an offer.
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startNode, type RunningProcess } from '../test/support/processes.js';

describe('signalling input', () => {
  let wss: WebSocketServer | undefined;
  let streamer: RunningProcess | undefined;
  afterEach(async () => {
    await streamer?.stop();
    await new Promise((r) => wss?.close(r));
  });

  it('survives bad messages and still registers and answers ping', async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const port = (wss.address() as { port: number }).port;
    const connected = once(wss, 'connection') as Promise<[WebSocket, import('node:http').IncomingMessage]>;
    // The bundled clip (no ffmpeg) keeps this test light; the token must arrive as ?token=.
    streamer = startNode('streamer/main.ts', {
      STREAMER_URL: `ws://127.0.0.1:${port}`,
      STREAMER_TOKEN: 's3cret',
      FFMPEG_PATH: '/nonexistent',
      STREAMER_ID: 'bench-a',
    });
    const [ws, req] = await connected;
    expect(new URL(req.url ?? '', 'http://x').searchParams.get('token')).toBe('s3cret');
    const received: Record<string, unknown>[] = [];
    ws.on('message', (d: Buffer) => received.push(JSON.parse(d.toString('utf8')) as Record<string, unknown>));
    for (const bad of ['not json', '[]', '{"no":"type"}', '{"type":"offer"}', '{"type":"whatIsThis"}'])
      ws.send(bad);
    ws.send(JSON.stringify({ type: 'playerConnected', playerId: '' })); // invalid id: ignored
    ws.send(JSON.stringify({ type: 'identify' }));
    ws.send(JSON.stringify({ type: 'ping', time: 42 }));
    await vi.waitFor(
      () => expect(received.map((m) => m.type)).toEqual(expect.arrayContaining(['endpointId', 'pong'])),
      { timeout: 10_000, interval: 50 },
    );
    expect(received.find((m) => m.type === 'endpointId')).toEqual({
      type: 'endpointId',
      id: 'bench-a',
      protocolVersion: '1.1.0',
    });
    expect(received.find((m) => m.type === 'pong')).toEqual({ type: 'pong', time: 42 });
    const codes = streamer.lines.map((l) => l.code);
    expect(codes).toContain('SIGNALLING_NOT_JSON');
    expect(codes).toContain('SIGNALLING_NOT_OBJECT');
    expect(codes).toContain('SIGNALLING_NO_TYPE');
    expect(codes).toContain('SIGNALLING_BAD_FIELD');
    expect(streamer.child.exitCode).toBeNull();

    // Configs with malformed ICE servers lose those entries, not the process: the next player still gets
    // an offer.
    ws.send(
      JSON.stringify({
        type: 'config',
        peerConnectionOptions: { iceServers: [null, { urls: 5 }, { urls: ['stun:127.0.0.1:9', 7] }] },
      }),
    );
    ws.send(JSON.stringify({ type: 'config', peerConnectionOptions: { iceServers: 'stun:x' } }));
    ws.send(JSON.stringify({ type: 'playerConnected', playerId: '101' }));
    await vi.waitFor(() => expect(received.map((m) => m.type)).toContain('offer'), {
      timeout: 10_000,
      interval: 50,
    });
    expect(received.find((m) => m.type === 'offer')).toMatchObject({ playerId: '101' });
    const bad = streamer.lines.filter((l) => l.code === 'SIGNALLING_BAD_CONFIG');
    expect(bad.map((l) => l.problems)).toEqual([
      [
        'iceServers[0] is not an object',
        'iceServers[1].urls has no URL string',
        'iceServers[2].urls: 1 non-string URL(s) dropped',
      ],
      ['iceServers is not an array'],
    ]);
    expect(streamer.lines.filter((l) => l.code === 'CRASH' || l.code === 'OFFER_FAILED')).toEqual([]);
    expect(streamer.child.exitCode).toBeNull();
  });
});
