// Cutting a command's byte streams into units: raw frames of a fixed size from stdout, and JSON lines of a
// bounded length from the side channel. Pure (no I/O): bytes in, whole units out.

/** Whole frames of `frameBytes` each from arbitrary chunks. */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private held = 0;

  constructor(private readonly frameBytes: number) {}

  push(chunk: Buffer): Buffer[] {
    this.parts.push(chunk);
    this.held += chunk.length;
    if (this.held < this.frameBytes) return [];
    const all = Buffer.concat(this.parts, this.held);
    const frames: Buffer[] = [];
    let at = 0;
    for (; at + this.frameBytes <= all.length; at += this.frameBytes)
      frames.push(all.subarray(at, at + this.frameBytes));
    const rest = all.subarray(at);
    this.parts = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.held = rest.length;
    return frames;
  }
}

export type LineResult = { ok: true; lines: string[] } | { ok: false; reason: string };

/** Lines (without the newline) of at most `maxBytes`; a longer one is an error, not a truncation. */
export class LineSplitter {
  private pending = '';

  constructor(private readonly maxBytes: number) {}

  push(chunk: string): LineResult {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const tooLong = [...lines, this.pending].find((l) => Buffer.byteLength(l) > this.maxBytes);
    if (tooLong !== undefined)
      return { ok: false, reason: `a side-channel line longer than ${this.maxBytes} bytes` };
    return { ok: true, lines: lines.map((l) => l.trim()).filter((l) => l.length > 0) };
  }
}
