// Pulls every PromQL query out of a dashboard JSON and substitutes the template variables the way Grafana
// would for one selection, so tests (and anyone debugging a panel) can run them against Prometheus.

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Grafana's built-in interval variables, replaced by a fixed window that suits a test's 1 s scrapes. */
const BUILTINS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

export function dashboardQueries(
  dashboard: Record<string, unknown>,
  values: Record<string, string>,
): PanelQuery[] {
  const vars = { ...BUILTINS, ...values };
  const panels = (dashboard.panels ?? []) as {
    title?: string;
    targets?: { refId?: string; expr?: string }[];
  }[];
  return panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title ?? '',
      refId: t.refId ?? '',
      expr: (t.expr ?? '').replace(/\$\{?(\w+)\}?/g, (m, name: string) => {
        const v = vars[name];
        if (v === undefined) throw new Error(`panel "${p.title ?? ''}" uses undefined variable ${m}`);
        return v;
      }),
    })),
  );
}
