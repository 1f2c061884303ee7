import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  about,
  configItems,
  envBool,
  envInt,
  envList,
  envPort,
  envRequiredSecret,
  envSecret,
  envUrl,
  parseEnv,
  portClashes,
  ruleFor,
} from './env-config.js';

const shape = {
  PORT: envPort(8080),
  OTHER_PORT: envPort(9000),
  COUNT: envInt(1, 1, 10),
  FLAG: envBool(false),
  LIST: envList(['a'], (item) => (item.startsWith('x') ? 'must not start with x' : undefined)),
  URL: envUrl(['ws', 'wss'], 'ws://x:1'),
  TOKEN: envSecret((v) => (v.length < 4 ? ['must be at least 4 characters'] : [])),
};
const rule = ruleFor(shape);
const rules = [
  rule(['PORT', 'OTHER_PORT'], (c) => portClashes(c, ['PORT', 'OTHER_PORT'])),
  rule(['COUNT', 'FLAG'], (c) => (c.FLAG && c.COUNT > 5 ? about('COUNT', ['must be ≤ 5 with FLAG']) : [])),
];

describe('parseEnv', () => {
  it('fills defaults', () => {
    expect(parseEnv(shape, {}, rules)).toEqual({
      PORT: 8080,
      OTHER_PORT: 9000,
      COUNT: 1,
      FLAG: false,
      LIST: ['a'],
      URL: 'ws://x:1',
      TOKEN: undefined,
    });
  });

  it('parses values', () => {
    expect(
      parseEnv(shape, {
        PORT: '0',
        OTHER_PORT: '0',
        COUNT: '10',
        FLAG: 'yes',
        LIST: ' b, ,c ',
        URL: 'wss://h/p',
      }),
    ).toMatchObject({ PORT: 0, OTHER_PORT: 0, COUNT: 10, FLAG: true, LIST: ['b', 'c'], URL: 'wss://h/p' });
  });

  it.each([
    [
      'a bad field and a cross-field rule',
      { PORT: '70000', OTHER_PORT: '1', COUNT: '7', FLAG: 'yes' },
      [
        { key: 'PORT', value: '70000', rule: 'must be ≤ 65535' },
        { key: 'COUNT', value: '7', rule: 'must be ≤ 5 with FLAG' },
      ],
    ],
    [
      'a rule whose field failed stays quiet; the others run',
      { PORT: '1', OTHER_PORT: '1', FLAG: 'maybe' },
      [
        { key: 'FLAG', value: 'maybe', rule: 'must be true or false' },
        { key: 'OTHER_PORT', value: '1', rule: 'must differ from PORT (both 1)' },
      ],
    ],
    [
      'each bad list item',
      { LIST: 'ok,x1,x2', URL: 'http://h' },
      [
        { key: 'LIST', value: 'ok,x1,x2', rule: '"x1" must not start with x' },
        { key: 'LIST', value: 'ok,x1,x2', rule: '"x2" must not start with x' },
        { key: 'URL', value: 'http://h', rule: 'must be a ws/wss URL' },
      ],
    ],
    [
      'a secret, hidden',
      { TOKEN: 'abc' },
      [{ key: 'TOKEN', hidden: true, rule: 'must be at least 4 characters' }],
    ],
  ])('reports %s, every problem at once', (_, env, items) => {
    expect(configItems(() => parseEnv(shape, env, rules))).toEqual(items);
  });

  it('renders one line per item under the CONFIG_INVALID header', () => {
    const err = new ConfigError([
      { key: 'PORT', value: '70000', rule: 'must be ≤ 65535' },
      { key: 'TOKEN', hidden: true, rule: 'must be at least 4 characters' },
      { key: 'NAME', value: undefined, rule: 'required' },
    ]);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(
      [
        'invalid configuration (CONFIG_INVALID):',
        '  - PORT="70000": must be ≤ 65535',
        '  - TOKEN=(hidden): must be at least 4 characters',
        '  - NAME=(unset): required',
      ].join('\n'),
    );
  });

  it('types a required secret as set, with its reason when unset', () => {
    const required = { KEY: envRequiredSecret('the shared key') };
    expect(parseEnv(required, { KEY: 'k' }).KEY).toBe('k');
    expect(configItems(() => parseEnv(required, {}))).toEqual([
      { key: 'KEY', value: undefined, rule: 'required (the shared key)' },
    ]);
  });
});
