// What happens after the encoder died on its own: restart it after a back-off, or give up when it keeps
// dying without ever sending a packet (a file that is not media, a display that never appears), so the
// pod crash-loops visibly instead of serving a black page forever. Pure, so the timing is tabled.

/** Back-off before each restart; the last step repeats. */
export const ENCODER_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000] as const;

export type EncoderRestart = { kind: 'restart'; delayMs: number } | { kind: 'give-up' };

/**
 * The decision after the active encoder exited. `failedInARow` counts the starts in a row that ended
 * without a single RTP packet, this one included (0 when this one had sent packets); `maxFailedStarts` 0
 * means never give up.
 */
export function encoderRestart(failedInARow: number, maxFailedStarts: number): EncoderRestart {
  if (maxFailedStarts > 0 && failedInARow >= maxFailedStarts) return { kind: 'give-up' };
  const step = Math.min(Math.max(failedInARow - 1, 0), ENCODER_BACKOFF_MS.length - 1);
  return { kind: 'restart', delayMs: ENCODER_BACKOFF_MS[step]! };
}

/** How long after the first start the last one happens, when every start fails at once. */
export function giveUpAfterMs(maxFailedStarts: number): number {
  let total = 0;
  for (let failed = 1; failed < maxFailedStarts; failed++) {
    const d = encoderRestart(failed, maxFailedStarts);
    if (d.kind === 'restart') total += d.delayMs;
  }
  return total;
}
