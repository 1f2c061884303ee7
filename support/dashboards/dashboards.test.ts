// Structural checks for Grafana schemaVersion 42 dashboards: what Grafana needs to load and place every panel
// and bind every query to the data-source variable.
// Checked: unique ids, a grid without overlaps, every target on `${datasource}`, only defined variables.
import { describe, expect, it } from 'vitest';
import { dashboardQueries } from '../dashboard-queries.js';
import { dashboards } from './index.js';
import { SCHEMA_VERSION } from './panels.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
}

const all = dashboards();

describe.each(Object.entries(all))('%s', (_file, d) => {
  const panels = d.panels as Panel[];
  const variables = ((d.templating as { list: { name: string; type: string }[] }).list ?? []).map((v) => v.name);

  it('targets the schema version with a unique uid and title', () => {
    expect(d.schemaVersion).toBe(SCHEMA_VERSION);
    expect(typeof d.uid).toBe('string');
    expect(String(d.uid)).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d.title).toBeTruthy();
    expect(variables).toContain('datasource');
  });

  it('has unique integer panel ids and known panel types', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) expect(['row', 'timeseries', 'stat', 'text']).toContain(p.type);
  });

  it('lays panels on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          const key = `${x},${y}`;
          expect(cells.has(key), `${p.title} overlaps at ${key}`).toBe(false);
          cells.add(key);
        }
    }
  });

  it('binds every query to the datasource variable with unique refIds', () => {
    for (const p of panels.filter((q) => q.type !== 'row' && q.type !== 'text')) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets!) {
        expect(t.expr.trim(), p.title).not.toBe('');
        expect(t.datasource).toEqual(p.datasource);
      }
    }
  });

  it('uses only variables it defines (and Grafana built-ins)', () => {
    const values = Object.fromEntries(variables.map((v) => [v, 'x']));
    expect(() => dashboardQueries(d, values)).not.toThrow();
    expect(() => dashboardQueries(d, {})).toThrow(/undefined variable/);
  });
});

describe('GPU dashboard under GPU sharing', () => {
  const gpu = all['pixelstream-gpu.json']!;
  const panels = gpu.panels as (Panel & { options?: { mode?: string; content?: string } })[];

  it('shows per-pod use by pod and MIG instance, for streamer pods', () => {
    const perPod = panels.filter((p) => p.title.endsWith('per pod'));
    expect(perPod.map((p) => p.title)).toEqual(['Engine active per pod', 'Frame buffer used per pod']);
    for (const p of perPod) {
      const expr = p.targets![0]!.expr;
      expect(expr).toMatch(/^max by \(namespace, pod, Hostname, gpu, GPU_I_ID\) \(DCGM_FI_\w+\{/);
      expect(expr).toContain('pod=~"streamer-.+"');
    }
  });

  it('says in a text panel that time-slicing cannot be attributed per pod', () => {
    const notes = panels.filter((p) => p.type === 'text');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.options?.mode).toBe('markdown');
    const text = notes[0]!.options?.content ?? '';
    expect(text).toMatch(/Time-slicing.*per-pod use cannot be measured/);
    expect(text).toContain('GPU_I_ID');
    // The note sits right above the per-pod panels it qualifies.
    const i = panels.indexOf(notes[0]!);
    expect(panels[i + 1]?.title).toBe('Engine active per pod');
  });
});
