import { describe, expect, it } from 'vitest';
import { ConfigError, envBool, envInt, envList, envPort, envUrl, parseEnv } from './env-config.js';

const shape = {
  PORT: envPort(8080),
  COUNT: envInt(1, 1, 10),
  FLAG: envBool(false),
  LIST: envList(['a']),
  URL: envUrl(['ws', 'wss'], 'ws://x:1'),
};

describe('parseEnv', () => {
  it('fills defaults', () => {
    expect(parseEnv(shape, {})).toEqual({ PORT: 8080, COUNT: 1, FLAG: false, LIST: ['a'], URL: 'ws://x:1' });
  });

  it('parses values', () => {
    expect(
      parseEnv(shape, { PORT: '0', COUNT: '10', FLAG: 'yes', LIST: ' b, ,c ', URL: 'wss://h/p' }),
    ).toEqual({
      PORT: 0,
      COUNT: 10,
      FLAG: true,
      LIST: ['b', 'c'],
      URL: 'wss://h/p',
    });
  });

  it('lists every problem at once, with name and value', () => {
    try {
      parseEnv(shape, { PORT: '70000', COUNT: 'x', FLAG: 'maybe', URL: 'http://h' }, () => ['cross-field']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PORT="70000"/);
      expect(problems.join('\n')).toMatch(/COUNT="x"/);
      expect(problems.join('\n')).toMatch(/FLAG="maybe"/);
      expect(problems.join('\n')).toMatch(/URL="http:\/\/h"/);
    }
  });

  it('runs cross-field checks once the fields are valid', () => {
    expect(() => parseEnv(shape, {}, () => ['A and B clash'])).toThrow(/A and B clash/);
  });
});
