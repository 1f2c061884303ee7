// Small helpers over grafana-foundation-sdk so the dashboards read as a list of panels: every panel gets a
// stable id, a datasource bound to the dashboard's `datasource` variable, lettered refIds, and a place in a
// two-column grid (row headers span the width).
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TextPanel, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The Grafana dashboard schema version the generated JSON follows (Grafana 12). */
export const SCHEMA_VERSION = 42;

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  expr: string;
  legend: string;
}
export type PanelSpec = QueryPanelSpec | TextPanelSpec;
/** A note for the reader (Markdown), e.g. what a metric cannot show; no queries. */
export interface TextPanelSpec {
  kind: 'text';
  title: string;
  content: string;
  /** Grid width out of 24. @default 12 */
  width?: number;
}
export interface QueryPanelSpec {
  kind: 'timeseries' | 'stat';
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  /** Grid width out of 24. @default 12 */
  width?: number;
}
export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}
export interface VariableSpec {
  name: string;
  label: string;
  /** label_values(...) query that lists the choices. */
  query: string;
  /** Multi-select with an "All" that matches everything (the panels use =~). */
  all?: boolean;
}

const PANEL_HEIGHT = 8;

function target(q: Query, i: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .expr(q.expr)
    .legendFormat(q.legend)
    .refId(String.fromCharCode(65 + i))
    .datasource(DATASOURCE);
}

/** Builds a dashboard JSON object from rows of panel specs. */
export function buildDashboard(opts: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: VariableSpec[];
  rows: RowSpec[];
}): Record<string, unknown> {
  const b = new DashboardBuilder(opts.title)
    .uid(opts.uid)
    .description(opts.description)
    .tags(opts.tags)
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const v of opts.variables) {
    const variable = new QueryVariableBuilder(v.name)
      .label(v.label)
      .query(v.query)
      .definition(v.query)
      .datasource(DATASOURCE)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc);
    if (v.all) variable.multi(true).includeAll(true).allValue('.*');
    b.withVariable(variable);
  }
  let id = 1;
  let y = 0;
  for (const row of opts.rows) {
    b.withRow(new RowBuilder(row.title).id(id++).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 12;
      if (x + w > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      const gridPos = { x, y, w, h: PANEL_HEIGHT };
      if (p.kind === 'text') {
        b.withPanel(new TextPanel().id(id++).title(p.title).mode(TextMode.Markdown).content(p.content).gridPos(gridPos));
        x += w;
        continue;
      }
      const targets = p.queries.map(target);
      if (p.kind === 'stat') {
        b.withPanel(new StatPanel().id(id++).title(p.title).description(p.description).unit(p.unit).datasource(DATASOURCE).targets(targets).gridPos(gridPos));
      } else {
        b.withPanel(
          new TimeseriesPanel()
            .id(id++)
            .title(p.title)
            .description(p.description)
            .unit(p.unit)
            .min(0)
            .datasource(DATASOURCE)
            .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
            .targets(targets)
            .gridPos(gridPos),
        );
      }
      x += w;
    }
    y += PANEL_HEIGHT;
  }
  const json = b.build() as unknown as Record<string, unknown>;
  if (json.schemaVersion !== SCHEMA_VERSION) throw new Error(`grafana-foundation-sdk emits schemaVersion ${String(json.schemaVersion)}, expected ${SCHEMA_VERSION}`);
  return json;
}
