// IVF, the simplest container ffmpeg reads VP8 from: a 32-byte file header, then each frame behind a 12-byte
// header (size, timestamp). The player's depacketised camera frames reach the decoder this way over a pipe,
// so there are no UDP ports to allocate and no RTP jitter buffer inside ffmpeg. Pure.

/** The file header for VP8 frames of (at most) `width`×`height`, timestamps in milliseconds. */
export function ivfFileHeader(width: number, height: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('DKIF', 0, 'ascii');
  h.writeUInt16LE(0, 4); // version
  h.writeUInt16LE(32, 6); // header size
  h.write('VP80', 8, 'ascii');
  h.writeUInt16LE(width, 12);
  h.writeUInt16LE(height, 14);
  h.writeUInt32LE(1000, 16); // time base denominator: milliseconds
  h.writeUInt32LE(1, 20); // numerator
  h.writeUInt32LE(0, 24); // frame count: unknown for a live stream
  return h;
}

/** One frame: its 12-byte header followed by the data. */
export function ivfFrame(data: Buffer, timestampMs: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(data.length, 0);
  h.writeBigUInt64LE(BigInt(Math.max(0, Math.round(timestampMs))), 4);
  return Buffer.concat([h, data]);
}
