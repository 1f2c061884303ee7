// When a processing function has to be stopped, decided from what went in and came out, with the time
// passed in: pure, so every limit is table-tested. Stalled: input has waited `stallMs` without a single
// output frame. Flooded: more output frames than input frames allow, or side-channel events beyond their
// rate. Either ends only the function's own session.

export interface GuardLimits {
  /** Input waiting this long without any output frame is a stall. */
  stallMs: number;
  /** Output frames allowed beyond the input frames (a function may hold a few, never multiply them). */
  maxExtraFrames: number;
  /** Side-channel events per second, sustained; the same number may come at once. */
  maxEventsPerSecond: number;
}

export interface Verdict {
  code: 'FUNCTION_STALLED' | 'FUNCTION_FLOOD';
  reason: string;
}

export class FunctionGuard {
  private framesIn = 0;
  private framesOut = 0;
  /** Arrival of the oldest input frame not yet followed by any output frame. */
  private waitingSince: number | undefined;
  private tokens: number;
  private tokensAt: number | undefined;

  constructor(private readonly limits: GuardLimits) {
    this.tokens = limits.maxEventsPerSecond;
  }

  frameIn(now: number): void {
    this.framesIn++;
    this.waitingSince ??= now;
  }

  frameOut(): Verdict | undefined {
    this.framesOut++;
    this.waitingSince = undefined;
    if (this.framesOut > this.framesIn + this.limits.maxExtraFrames)
      return {
        code: 'FUNCTION_FLOOD',
        reason: `${this.framesOut} frames out for ${this.framesIn} in (at most ${this.limits.maxExtraFrames} more out than in)`,
      };
    return undefined;
  }

  event(now: number): Verdict | undefined {
    const { maxEventsPerSecond: rate } = this.limits;
    if (this.tokensAt !== undefined)
      this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    if (this.tokens < 1)
      return { code: 'FUNCTION_FLOOD', reason: `more than ${rate} side-channel events per second` };
    this.tokens--;
    return undefined;
  }

  check(now: number): Verdict | undefined {
    if (this.waitingSince !== undefined && now - this.waitingSince >= this.limits.stallMs)
      return {
        code: 'FUNCTION_STALLED',
        reason: `no output frame for ${Math.round((now - this.waitingSince) / 1000)} s while input kept arriving`,
      };
    return undefined;
  }

  counts(): { framesIn: number; framesOut: number } {
    return { framesIn: this.framesIn, framesOut: this.framesOut };
  }
}
