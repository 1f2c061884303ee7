// Monitoring as synthesized from each test .env (k8s/testing/manifests.ts): ServiceMonitors on the metrics
// ports, the PrometheusRule and the labelled dashboards from support/, filed in the folder the Grafana
// sidecar reads from the annotation support/prometheus.values.yaml names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SIDECAR } from '../common/metric-names.js';
import { COMPONENT_LABEL } from '../common/pod-marks.js';
import { GRAFANA_FOLDER, GRAFANA_FOLDER_ANNOTATION } from './monitoring.js';
import { all, find, testVariants } from './testing/manifests.js';

const v = testVariants('k8s-monitoring-');

/** The part of support/prometheus.values.yaml the dashboards depend on. */
const grafanaValues = z.object({
  grafana: z.object({ sidecar: z.object({ dashboards: z.object({ folderAnnotation: z.string() }) }) }),
});

describe.each(v.rows)('monitoring (%s)', (_label, s) => {
  it('monitoring: ServiceMonitors on the metrics ports, PrometheusRule and labelled dashboards from support/', () => {
    const sm = find(s, 'ServiceMonitor', 'streamer');
    expect(sm.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '15s', scheme: 'http' },
    ]);
    expect(sm.spec.selector.matchLabels?.[COMPONENT_LABEL]).toBe('streamer');
    const rule = find(s, 'PrometheusRule', 'pixelstream');
    expect(rule.spec.groups?.length).toBeGreaterThan(0);
    expect(JSON.stringify(rule.spec.groups)).toContain(SIDECAR.available);
    const boards = all(s, 'ConfigMap').filter((o) => o.metadata?.labels?.grafana_dashboard === '1');
    expect(boards.length).toBeGreaterThanOrEqual(2);
    for (const b of boards) {
      for (const json of Object.values(b.data ?? {})) expect(() => JSON.parse(json) as unknown).not.toThrow();
      // The folder the Grafana sidecar files it under, by the annotation support/prometheus.values.yaml names.
      expect(b.metadata?.annotations).toEqual({ [GRAFANA_FOLDER_ANNOTATION]: GRAFANA_FOLDER });
    }
    const values = grafanaValues.parse(
      parse(readFileSync(join(import.meta.dirname, '..', 'support', 'prometheus.values.yaml'), 'utf8')),
    );
    expect(values.grafana.sidecar.dashboards.folderAnnotation).toBe(GRAFANA_FOLDER_ANNOTATION);
  });
});
