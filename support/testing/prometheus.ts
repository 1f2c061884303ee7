// A real Prometheus (Debian's binary) for tests: writes its config, starts it on a free loopback port with
// its own TSDB directory, and answers instant queries. Stopped by PID; its directory is removed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { stringify } from 'yaml';
import { freePort, track, type RunningProcess } from '../../test/support/processes.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface ScrapeTarget {
  job: string;
  address: string;
  /** Target labels, as a ServiceMonitor would attach them (namespace, service, pod). */
  labels?: Record<string, string>;
  /** Keep the exporter's own namespace/pod labels (dcgm-exporter, kube-state-metrics). */
  honorLabels?: boolean;
}

export interface TestPrometheus {
  readonly url: string;
  query(expr: string): Promise<Sample[]>;
  /** Polls `expr` until `check` accepts the samples; rejects with the last result after `timeoutMs`. */
  until(expr: string, check: (s: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  targets: ScrapeTarget[],
  ruleFiles: string[] = [],
): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pixelstream-prom-'));
  const jobs = new Map<string, ScrapeTarget[]>();
  for (const t of targets)
    jobs.set(`${t.job}:${t.honorLabels ? 'h' : ''}`, [
      ...(jobs.get(`${t.job}:${t.honorLabels ? 'h' : ''}`) ?? []),
      t,
    ]);
  const config = {
    // One-second scrapes and rule evaluations keep the test's state changes visible within ~2 s.
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
    rule_files: ruleFiles,
    scrape_configs: [...jobs.values()].map((ts) => ({
      job_name: ts[0]!.job,
      honor_labels: ts[0]!.honorLabels ?? false,
      static_configs: ts.map((t) => ({ targets: [t.address], labels: t.labels ?? {} })),
    })),
  };
  writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const proc: RunningProcess = track(
    spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const url = `http://127.0.0.1:${port}`;

  const query = async (expr: string): Promise<Sample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success' || !body.data)
      throw new Error(`query failed (${body.error ?? res.status}): ${expr}`);
    if (body.data.resultType !== 'vector')
      throw new Error(`expected a vector from ${expr}, got ${body.data.resultType}`);
    return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  };

  const until = (expr: string, check: (s: Sample[]) => boolean, timeoutMs = 20_000): Promise<Sample[]> =>
    vi.waitFor(
      async () => {
        const last = await query(expr);
        if (!check(last)) throw new Error(`still waiting on ${expr}; last result: ${JSON.stringify(last)}`);
        return last;
      },
      { timeout: timeoutMs, interval: 250 },
    );

  // Ready answers within ~0.1 s; the first scrape lands ~5 s later (service discovery batching).
  await vi.waitFor(
    async () => {
      const ready = await fetch(`${url}/-/ready`).catch(() => undefined); // not listening yet
      if (!ready?.ok) throw new Error(`prometheus is not ready: ${JSON.stringify(proc.lines.slice(-5))}`);
    },
    { timeout: 15_000, interval: 100 },
  );

  return {
    url,
    query,
    until,
    async stop() {
      await proc.stop('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
