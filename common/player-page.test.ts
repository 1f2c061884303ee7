// The player page as served from memory: encoding negotiation and ETag matching as tables, then a real
// Express server on loopback serving a built-like directory to a real HTTP client.
import express from 'express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etagMatches, pickEncoding, playerPage, type Encoding } from './player-page.js';

const all: Encoding[] = ['identity', 'br', 'gzip'];

describe('pickEncoding', () => {
  it.each([
    ['a browser', 'gzip, deflate, br, zstd', all, 'br'],
    ['no header', undefined, all, 'identity'],
    ['gzip only', 'gzip', all, 'gzip'],
    ['brotli refused', 'br;q=0, gzip;q=0.5', all, 'gzip'],
    ['anything', '*', all, 'br'],
    ['anything but brotli', 'br;q=0, *', all, 'gzip'],
    ['nothing it has', 'deflate', all, 'identity'],
    ['a file without brotli', 'br, gzip', ['identity', 'gzip'], 'gzip'],
    ['upper case and spaces', ' GZIP ; q=1 ', all, 'gzip'],
  ] as const)('%s', (_name, header, available, expected) => {
    expect(pickEncoding(header, available)).toBe(expected);
  });
});

describe('etagMatches', () => {
  it.each([
    [undefined, false],
    ['"abc-br"', true],
    ['W/"abc-br"', true],
    ['"old", "abc-br"', true],
    ['*', true],
    ['"abc"', false],
    ['"abc-gzip"', false],
  ])('%s', (header, expected) => {
    expect(etagMatches(header, '"abc-br"')).toBe(expected);
  });
});

describe('playerPage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'player-page-'));
  const html = '<!doctype html><script src="player-ABCDEFGH.js"></script>'.repeat(20);
  const script = 'console.log("page");'.repeat(200);
  let base: { port: number; close(): void };

  beforeAll(async () => {
    for (const [name, body] of [
      ['index.html', html],
      ['player-ABCDEFGH.js', script],
    ]) {
      writeFileSync(path.join(dir, name!), body!);
      writeFileSync(path.join(dir, `${name}.br`), brotliCompressSync(body!));
      writeFileSync(path.join(dir, `${name}.gz`), gzipSync(body!));
    }
    writeFileSync(path.join(dir, 'player-ABCDEFGH.js.map'), '{}');
    const app = express();
    app.use(playerPage(dir));
    app.use(express.static(dir));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = { port: (server.address() as AddressInfo).port, close: () => server.close() };
  });
  afterAll(() => {
    base.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw GET (fetch would decompress and hide Content-Encoding). */
  function get(
    pathname: string,
    headers: Record<string, string> = {},
    method = 'GET',
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request({ port: base.port, host: '127.0.0.1', path: pathname, headers, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('sends the brotli file to a browser, revalidated by ETag', async () => {
    const res = await get('/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(brotliDecompressSync(res.body).toString()).toBe(html);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+-br"$/);
    const again = await get('/index.html', { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // The gzip representation is a different entity: a brotli ETag does not validate it.
    const gz = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
  });

  it('keeps content-hashed scripts for a year, and serves plain bytes to a client without encodings', async () => {
    const res = await get('/player-ABCDEFGH.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.toString()).toBe(script);
    const head = await get('/player-ABCDEFGH.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
  });

  it('leaves other files and paths to the next handler', async () => {
    const map = await get('/player-ABCDEFGH.js.map', { 'accept-encoding': 'br' });
    expect(map.status).toBe(200);
    expect(map.headers['content-encoding']).toBeUndefined();
    expect(map.body.toString()).toBe('{}');
    expect((await get('/nothing.js')).status).toBe(404);
  });
});
