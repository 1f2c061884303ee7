// Table tests of the log-text cut that keeps peer-supplied strings short in log lines.
import { describe, expect, it } from 'vitest';
import { logText } from './log-text.js';

describe('logText', () => {
  it.each([
    ['a short string unchanged', 'bye', 'bye'],
    ['exactly the limit unchanged', 'x'.repeat(200), 'x'.repeat(200)],
    ['one over, cut and marked', 'x'.repeat(201), `${'x'.repeat(200)}… [cut, 201 characters]`],
    ['a number as its JSON text', 42, '42'],
    ['undefined as undefined', undefined, undefined],
    // 'a' then pairs: index 199 is the high half of a pair, which must not end the text alone.
    [
      'never half a surrogate pair',
      `a${'\u{1F600}'.repeat(150)}`,
      `a${'\u{1F600}'.repeat(99)}… [cut, 301 characters]`,
    ],
  ])('%s', (_, value, expected) => {
    expect(logText(value)).toBe(expected);
  });
});
