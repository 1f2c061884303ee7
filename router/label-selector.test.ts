// Table of valid and invalid label selectors; each bad term is named in the problem.
import { describe, expect, it } from 'vitest';
import { labelSelectorProblems } from './label-selector.js';

describe('labelSelectorProblems', () => {
  it.each([
    ['app.kubernetes.io/component=streamer'],
    ['app.kubernetes.io/name=pixelstream,app.kubernetes.io/component=streamer'],
    ['tier==gpu'],
    ['tier != cpu'],
    ['zone in (a, b-1,c.2)'],
    ['zone notin (x)'],
    ['zone in(a)'],
    ['ready'],
    ['!canary'],
    ['! canary'],
    ['example.com/Some_Name-1=Value.2'],
    ['track='],
    ['a=b, c in (d,e), !f, g'],
    [`k=${'v'.repeat(63)}`],
    [`${'p'.repeat(253)}/${'n'.repeat(63)}`],
  ])('accepts %j', (selector) => {
    expect(labelSelectorProblems(selector)).toEqual([]);
  });

  it.each([
    ['app=streamer,', '"": empty term'],
    ['a=b,,c=d', '"": empty term'],
    ['app=stream er', '"app=stream er": not a selector term'],
    ['a=b=c', '"a=b=c": not a selector term'],
    ['a:b', '"a:b": label key name "a:b"'],
    ['App.Example.com/x=y', '"App.Example.com/x=y": label key prefix "App.Example.com"'],
    ['/x=y', '"/x=y": label key prefix ""'],
    ['a/b/c', '"a/b/c": label key name "b/c"'],
    ['-a=b', '"-a=b": label key name "-a"'],
    [`${'n'.repeat(64)}=b`, `label key name "${'n'.repeat(64)}"`],
    [`k=${'v'.repeat(64)}`, `label value "${'v'.repeat(64)}"`],
    ['a=b_', '"a=b_": label value "b_"'],
    ['zone in ()', '"zone in ()": an in/notin set needs at least one value'],
    ['zone in (a, b c)', '"zone in (a, b c)": label value "b c"'],
    ['zone in (a', 'unbalanced or nested parentheses'],
    ['zone in (a))', 'unbalanced or nested parentheses'],
    ['zone in ((a))', 'unbalanced or nested parentheses'],
    ['zone between (a)', '"zone between (a)": not a selector term'],
    ['zone>1', '"zone>1": label key name "zone>1"'],
    ['k!', '"k!": not a selector term'],
  ])('refuses %j naming the bad term', (selector, problem) => {
    const problems = labelSelectorProblems(selector);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('names every bad term of one selector', () => {
    expect(labelSelectorProblems('a=b, c d, e=f, g==h h')).toEqual([
      '"c d": not a selector term (k=v, k==v, k!=v, k in (a,b), k notin (a,b), k or !k)',
      '"g==h h": not a selector term (k=v, k==v, k!=v, k in (a,b), k notin (a,b), k or !k)',
    ]);
  });
});
