// Free text a peer controls (a streamer's disconnect reason, a player id it names) goes into log lines cut
// to a readable length: a message may be up to 256 KiB, and one line that size per message would flood the
// log pipeline and hide everything else. The cut is marked with the original length, so it is never mistaken
// for what the peer sent.

/** Longest peer-controlled text kept in a log field; enough for any honest reason or id. */
export const LOG_TEXT_MAX = 200;

/**
 * A peer's value as a log field: a short string unchanged, a long one cut to its first `max` characters
 * and marked. The protocol does not check every field's type, so anything else (a 200 KiB object where a
 * reason belongs; message fields are parsed JSON) is logged as its JSON text, cut the same way; undefined
 * stays undefined.
 */
export function logText(value: unknown, max = LOG_TEXT_MAX): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length <= max) return text;
  // Never end on half a surrogate pair: the line must stay valid UTF-8.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… [cut, ${text.length} characters]`;
}
