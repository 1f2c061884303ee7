import { describe, expect, it } from 'vitest';
import { streamerChoice, streamerHref } from './streamer-choice.js';

describe('streamerChoice', () => {
  it.each([
    ['one streamer, picked by the frontend', ['a'], 'a', '', undefined],
    ['the wanted streamer, picked', ['a', 'b'], 'b', 'b', undefined],
    ['two streamers, none wanted', ['a', 'b'], '', '', { text: 'Choose a stream:', ids: ['a', 'b'] }],
    [
      'a wanted streamer that is not there',
      ['a', 'b'],
      '',
      'c',
      { text: 'Stream "c" is not connected. Connected streams:', ids: ['a', 'b'] },
    ],
    [
      'a wanted streamer on an empty server',
      [],
      '',
      'c',
      { text: 'Stream "c" is not connected yet; waiting for it…', ids: [] },
    ],
    ['an empty server', [], '', '', { text: 'No stream is connected yet; waiting for one…', ids: [] }],
  ])('%s', (_, ids, auto, wanted, expected) => {
    expect(streamerChoice(ids, auto, wanted)).toEqual(expected);
  });
});

describe('streamerHref', () => {
  it('sets StreamerId and keeps the other parameters', () => {
    expect(streamerHref('?stats=0&StreamerId=old', 'new one')).toBe('?stats=0&StreamerId=new+one');
    expect(streamerHref('', 'a')).toBe('?StreamerId=a');
  });
});
