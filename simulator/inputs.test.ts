// Parsers of everything a user hands the simulator: traces, distributions, expressions, policy files.
import { describe, expect, it } from 'vitest';
import { loadKitConfig } from '../common/kit-config.js';
import { parseTrace } from './arrivals.js';
import { parseDistribution } from './distribution.js';
import { compileExpression } from './expression.js';
import { parsePolicyFile } from './policy-file.js';
import { DEFAULT_MODEL } from './model.js';
import { simulate } from './simulation.js';

const kit = loadKitConfig({});

describe('trace', () => {
  it('reads rows with a header and comments, sorted by arrival', () => {
    expect(parseTrace('arrival_seconds,session_seconds\n# note\n20,5\n10,30\n')).toEqual([
      { at: 10, session: 30 },
      { at: 20, session: 5 },
    ]);
  });
  it('finds the header after leading comments and blank lines, and only there', () => {
    const trace = '# exported from the router log\n\narrival_seconds,session_seconds\n10,30\n';
    expect(parseTrace(trace)).toEqual([{ at: 10, session: 30 }]);
    expect(() => parseTrace('# note\n10,30\narrival_seconds,session_seconds\n', 't.csv')).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^t.csv:3:/)] }),
    );
  });
  it('reports every bad row with its line number', () => {
    expect(() => parseTrace('1,2\nx,3\n4,-1\n5\n', 't.csv')).toThrow(
      expect.objectContaining({
        code: 'SIM_TRACE_INVALID',
        problems: [
          expect.stringMatching(/^t.csv:2:/),
          expect.stringMatching(/^t.csv:3:/),
          expect.stringMatching(/^t.csv:4:/),
        ],
      }),
    );
  });
});

describe('distributions and expressions', () => {
  it.each(['fixed:-1', 'uniform:5..1', 'lognormal:10,5', 'gamma:1', 'exp:'])('rejects %s', (text) => {
    expect(() => parseDistribution(text)).toThrow(
      expect.objectContaining({ code: 'SIM_DISTRIBUTION_INVALID' }),
    );
  });
  it('evaluates arithmetic with precedence and functions', () => {
    const f = compileExpression('allocated + queued * 2 + max(1, ceil(arrival_rate * 90))', [
      'allocated',
      'queued',
      'arrival_rate',
    ]);
    expect(f({ allocated: 3, queued: 2, arrival_rate: 0.05 })).toBe(3 + 4 + 5);
  });
  it.each([
    ['alocated + 1', /unknown variable alocated/],
    ['exp(2)', /unknown function exp/],
    ['(1 + 2', /missing \)/],
    ['1 +', /unexpected end/],
    ['process.exit()', /unexpected|unknown/],
  ])('rejects %s', (src, why) => {
    expect(() => compileExpression(src, ['allocated'])).toThrow(why);
  });
});

describe('policy files', () => {
  it('lists every problem of a bad file at once', () => {
    const bad = `
model: { imagePull: "lognormal:1", deletionOrder: random }
policies:
  - name: Bad Name
    metrics: [{ expression: "nope + 1", target: { type: Value, value: 0 } }]
`;
    try {
      parsePolicyFile(bad, 'p.yaml');
      expect.unreachable();
    } catch (err) {
      const e = err as { code: string; problems: string[] };
      expect(e.code).toBe('SIM_POLICY_INVALID');
      expect(e.problems.length).toBeGreaterThanOrEqual(3);
      expect(e.problems.join('\n')).toMatch(/deletionOrder/);
      expect(e.problems.join('\n')).toMatch(/policies\.0\.name/);
    }
  });
  it('a user policy runs, and one shaped like the kit template can be applied', () => {
    const file = parsePolicyFile(`
model: { imagePull: "fixed:30", gpusPerNode: 2 }
policies:
  - name: demand-2
    buffer: 2
    metrics: [{ type: Object, expression: pixelstream_demand, target: { type: AverageValue, averageValue: 1 } }]
    behavior:
      scaleUp: { policies: [{ type: Pods, value: 6, periodSeconds: 30 }, { type: Percent, value: 50, periodSeconds: 30 }] }
      scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: Pods, value: 2, periodSeconds: 60 }] }
  - name: per-pod
    metrics: [{ type: Pods, expression: allocated, target: { type: AverageValue, averageValue: 0.5 } }]
`);
    expect(file.model).toMatchObject({ gpusPerNode: 2, imagePull: { kind: 'fixed', value: 30 } });
    const [demand, perPod] = file.policies(kit);
    expect(demand!.apply).toEqual({
      values: {
        HPA_METRIC: 'demand',
        HPA_TARGET: 1,
        STREAM_BUFFER_MODE: 'fixed',
        STREAM_BUFFER: 2,
        HPA_SCALE_UP_PODS: 6,
        HPA_SCALE_UP_PERCENT: 50,
        HPA_SCALE_UP_PERIOD_SECONDS: 30,
        HPA_SCALE_DOWN_STABILIZATION_SECONDS: 120,
        HPA_SCALE_DOWN_PODS: 2,
        HPA_SCALE_DOWN_PERIOD_SECONDS: 60,
      },
    });
    expect(perPod!.apply).toHaveProperty('problems');
    const arrivals = Array.from({ length: 40 }, (_, i) => ({ at: 60 * i, session: 900 }));
    const r = simulate({
      arrivals,
      horizonSeconds: 3 * 3600,
      policy: perPod!,
      model: { ...DEFAULT_MODEL, ...file.model },
      seed: 1,
    });
    // A Pods metric of "allocated per pod at 0.5" asks for two pods per stream: it must have scaled up.
    expect(Math.max(...r.series.replicas)).toBeGreaterThan(1);
    expect(r.scaleUps).toBeGreaterThan(0);
  });
});
