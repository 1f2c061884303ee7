// The committed YAML/JSON must be exactly what the generators produce, and promtool must accept the rules
// and pass their unit tests: a hand edit or a renamed metric fails here.
// Every recording rule has expected samples and every alert both a firing and a silent case (a rule added
// without tests fails); a moved threshold fails the unit tests; every dashboard query parses.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requirements } from '../test/support/tools.js';
import { generatedFiles, RULE_FILE } from './generated-files.js';
import { dashboardQueries } from './dashboard-queries.js';
import { dashboards } from './dashboards/index.js';
import { prometheusRuleGroups } from './prometheus-rules.js';
import { rulesUnitTests } from './rules-unit-tests.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'pixelstream-support-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generated files', () => {
  const files = generatedFiles();

  it.each(Object.keys(files))('support/%s matches its generator', (rel) => {
    const committed = readFileSync(path.join(here, rel), 'utf8');
    expect(committed, `support/${rel} drifted: run npm run support:generate`).toBe(files[rel]);
  });

  it('no stray file sits among the generated ones', () => {
    const dirs = ['rules', 'dashboards'];
    const onDisk = dirs.flatMap((d) =>
      readdirSync(path.join(here, d))
        .filter((f) => f.endsWith('.yaml') || f.endsWith('.json'))
        .map((f) => `${d}/${f}`),
    );
    expect(onDisk.sort()).toEqual(
      Object.keys(files)
        .filter((f) => f.includes('/'))
        .sort(),
    );
  });
});

describe('rule unit tests', () => {
  interface UnitTests {
    tests: {
      promql_expr_test?: { expr: string; exp_samples: unknown[] }[];
      alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
    }[];
  }
  const doc = rulesUnitTests(path.basename(RULE_FILE)) as UnitTests;
  const rules = prometheusRuleGroups().flatMap((g) => g.rules);

  it('every recording rule is evaluated with expected samples', () => {
    const exprs = doc.tests.flatMap((t) => t.promql_expr_test ?? []).filter((e) => e.exp_samples.length > 0);
    const untested = rules
      .flatMap((r) => ('record' in r ? [r.record] : []))
      .filter((name) => !exprs.some((e) => new RegExp(`\\b${name}\\b`).test(e.expr)));
    expect(untested).toEqual([]);
  });

  it('every alert has a case where it fires and one where it stays silent', () => {
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    const missing = rules
      .flatMap((r) => ('alert' in r ? [r.alert] : []))
      .filter((name) => {
        const own = cases.filter((c) => c.alertname === name);
        return !own.some((c) => c.exp_alerts.length > 0) || !own.some((c) => c.exp_alerts.length === 0);
      });
    expect(missing).toEqual([]);
  });
});

const hasPromtool = requirements(['promtool']);

describe.skipIf(!hasPromtool)('promtool', () => {
  const promtool = (...args: string[]) =>
    spawnSync('promtool', args, { cwd: path.join(here, 'rules'), encoding: 'utf8' });

  it('check rules accepts the rule file', () => {
    const r = promtool('check', 'rules', path.basename(RULE_FILE));
    const count = prometheusRuleGroups().reduce((n, g) => n + g.rules.length, 0);
    expect(count).toBeGreaterThanOrEqual(16);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${count} rules found`);
    expect(r.status).toBe(0);
  });

  it('every recording and alerting rule passes its unit tests', () => {
    const r = promtool('test', 'rules', 'pixelstream.rules.test.yaml');
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('the unit tests catch a broken rule (a threshold moved)', () => {
    const rules = readFileSync(path.join(here, RULE_FILE), 'utf8').replace(
      /DCGM_FI_DEV_GPU_TEMP > \d+/,
      'DCGM_FI_DEV_GPU_TEMP > 95',
    );
    writeFileSync(path.join(tmp, 'pixelstream.rules.yaml'), rules);
    writeFileSync(
      path.join(tmp, 'tests.yaml'),
      readFileSync(path.join(here, 'rules/pixelstream.rules.test.yaml')),
    );
    const r = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('PixelStreamGpuTemperatureHigh');
  });

  it('every dashboard query is valid PromQL (parsed by promtool as recording rules)', () => {
    const queries = Object.values(dashboards()).flatMap((d) =>
      dashboardQueries(d, { namespace: 'pixel', node: '.*' }),
    );
    expect(queries.length).toBeGreaterThan(20);
    const file = path.join(tmp, 'dashboard-queries.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboards',
            rules: queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: q.expr })),
          },
        ],
      }),
    );
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
