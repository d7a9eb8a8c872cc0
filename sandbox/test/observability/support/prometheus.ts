import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@engagement-tracker/core/testing';
import { parse, stringify } from 'yaml';

export interface Alert { labels: Record<string, string>; annotations: Record<string, string>; state: 'pending' | 'firing'; value: string }
export interface Sample { metric: Record<string, string>; value: [number, string] }

export interface Prometheus {
  url: string;
  query(expr: string): Promise<Sample[]>;
  alerts(): Promise<Alert[]>;
  metricNames(): Promise<string[]>;
  targets(): Promise<Array<{ job: string; health: string; lastError: string }>>;
  stop(): Promise<void>;
}

/**
 * The alert rules as the chart ships them, with every `for:` shortened so a test sees an alert reach
 * `firing` within seconds of its condition. Expressions, labels and annotations are untouched.
 */
export async function rulesForTest(rulesFile: string, out: string): Promise<void> {
  const doc = parse(await readFile(rulesFile, 'utf8')) as { groups: Array<{ rules: Array<Record<string, unknown>> }> };
  for (const g of doc.groups) for (const r of g.rules) if (r.for) r.for = '1s';
  await writeFile(out, stringify(doc));
}

/** Debian's prometheus server on a free port, scraping `targets` (job -> host:port) every `interval`. */
export async function startPrometheus(opts: { dir: string; targets: Record<string, string>; rules: string; interval?: string }): Promise<Prometheus> {
  const port = await freePort();
  const interval = opts.interval ?? '1s';
  await mkdir(join(opts.dir, 'data'), { recursive: true });
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: '1s' },
    rule_files: [opts.rules],
    scrape_configs: Object.entries(opts.targets).map(([job, target]) => ({ job_name: job, static_configs: [{ targets: [target] }] })),
  };
  const configFile = join(opts.dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const bin = process.env.PROMETHEUS_BIN ?? 'prometheus';
  const proc: ChildProcess = spawn(bin, [
    `--config.file=${configFile}`, `--storage.tsdb.path=${join(opts.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn', '--storage.tsdb.retention.time=1h',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > until) throw new Error(`prometheus did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    query: async (expr) => (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    alerts: async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts,
    metricNames: () => api<string[]>('/api/v1/label/__name__/values'),
    targets: async () => (await api<{ activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> }>('/api/v1/targets')).activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError })),
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
