// Serves the built player page (player/build/) from memory, as the sidecar and the session router both do:
// the brotli or gzip file the build precompressed when the browser accepts it, a strong ETag per
// representation (304 on a match), `immutable` caching for the content-hashed scripts and revalidation
// for the HTML that names them. Files the build did not precompress (source maps) are left to the next
// handler.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';

export type Encoding = 'br' | 'gzip' | 'identity';

/** One file as served: its bytes per encoding and the headers every response of it carries. */
interface PageFile {
  type: string;
  cacheControl: string;
  /** Content hash of the uncompressed bytes; the ETag adds the encoding. */
  hash: string;
  bodies: Partial<Record<Encoding, Buffer>>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
const SUFFIX: Record<Exclude<Encoding, 'identity'>, string> = { br: '.br', gzip: '.gz' };
/** esbuild's `[name]-[hash]` names: their content never changes, so browsers may keep them for a year. */
const HASHED = /-[A-Z0-9]{8}\.[a-z]+$/;

/**
 * The encoding to send, from an Accept-Encoding header and what the file has: brotli, then gzip, then the
 * plain bytes. `q=0` refuses an encoding; `*` stands for any encoding not named.
 */
export function pickEncoding(acceptEncoding: string | undefined, available: readonly Encoding[]): Encoding {
  const q = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [rawName, ...params] = part.toLowerCase().split(';');
    const name = rawName?.trim();
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepted = (e: string) => (q.get(e) ?? q.get('*') ?? 0) > 0;
  for (const e of ['br', 'gzip'] as const) if (available.includes(e) && accepted(e)) return e;
  return 'identity';
}

/** True when an If-None-Match header names `etag` (weak or strong, or `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/** Reads every precompressed file of `dir` (those with a `.br` or `.gz` beside them) into memory. */
export function loadPlayerPage(dir: string): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    const full = path.join(dir, name);
    if (!type || !existsSync(full + SUFFIX.br) || !existsSync(full + SUFFIX.gzip)) continue;
    const identity = readFileSync(full);
    const file: PageFile = {
      type,
      cacheControl: HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
      hash: createHash('sha256').update(identity).digest('base64url').slice(0, 22),
      bodies: { identity, br: readFileSync(full + SUFFIX.br), gzip: readFileSync(full + SUFFIX.gzip) },
    };
    files.set(`/${name}`, file);
    if (name === 'index.html') files.set('/', file);
  }
  return files;
}

/** The Express handler for `loadPlayerPage(dir)`'s files; any other path goes to the next handler. */
export function playerPage(dir: string): RequestHandler {
  const files = loadPlayerPage(dir);
  return (req, res, next) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? files.get(req.path) : undefined;
    if (!file) {
      next();
      return;
    }
    const available = Object.keys(file.bodies) as Encoding[];
    const encoding = pickEncoding(req.headers['accept-encoding'], available);
    const etag = `"${file.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', file.cacheControl);
    res.setHeader('ETag', etag);
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    const body = file.bodies[encoding]!;
    res.setHeader('Content-Type', file.type);
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };
}
