import { Gauge, type Registry } from 'prom-client';
import { utcDay, type BatchRun, type Stores } from '@engagement-tracker/core';

/**
 * Batch and ledger gauges read from Redis at scrape time. The batch CronJob is short-lived, so the
 * long-running admin API exports what its runs recorded (no Pushgateway). Every replica reports the
 * same values: aggregate with max() in alerts.
 */
export function registerBatchMetrics(registry: Registry, stores: Stores): void {
  let cache: { at: number; runs: BatchRun[]; linked: number; today: number } | null = null;
  const snapshot = async () => {
    if (cache && Date.now() - cache.at < 1000) return cache;
    const [page, linked, days] = await Promise.all([stores.batches.list({ offset: 0, limit: 50 }), stores.connections.count(), stores.ledger.pointsPerDay(1)]);
    cache = { at: Date.now(), runs: page.items, linked, today: days.find((d) => d.day === utcDay(Date.now()))?.points ?? 0 };
    return cache;
  };
  const lastFinished = (runs: BatchRun[]) => runs.find((r) => r.status !== 'running');
  const seconds = (ms?: number) => (ms ? ms / 1000 : 0);
  const gauge = (name: string, help: string, read: (s: Awaited<ReturnType<typeof snapshot>>) => number | Array<[Record<string, string>, number]>, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const v = read(await snapshot());
        this.reset();
        if (typeof v === 'number') this.set(v);
        else for (const [labels, n] of v) this.set(labels, n);
      },
    });

  gauge('engagement_tracker_batch_last_run_status', 'Status of the last finished batch run (1 for its status)', (s) => {
    const r = lastFinished(s.runs);
    return (['succeeded', 'partial', 'failed'] as const).map((st) => [{ status: st }, r?.status === st ? 1 : 0]);
  }, ['status']);
  gauge('engagement_tracker_batch_last_run_end_timestamp_seconds', 'When the last finished batch run ended', (s) => seconds(lastFinished(s.runs)?.endedAt));
  gauge('engagement_tracker_batch_last_success_timestamp_seconds', 'When the last succeeded batch run ended', (s) => seconds(s.runs.find((r) => r.status === 'succeeded')?.endedAt));
  gauge('engagement_tracker_batch_last_run_duration_seconds', 'Duration of the last finished batch run', (s) => {
    const r = lastFinished(s.runs);
    return r?.endedAt ? (r.endedAt - r.startedAt) / 1000 : 0;
  });
  gauge('engagement_tracker_batch_last_run_x_requests', 'X API requests of the last finished batch run', (s) => lastFinished(s.runs)?.stats.requests ?? 0);
  gauge('engagement_tracker_batch_last_run_cost_usd', 'Estimated X API cost of the last finished batch run', (s) => lastFinished(s.runs)?.stats.costUsd ?? 0);
  gauge('engagement_tracker_batch_last_run_points_awarded', 'Points awarded by the last finished batch run', (s) => lastFinished(s.runs)?.stats.pointsAwarded ?? 0);
  gauge('engagement_tracker_batch_runs_running', 'Batch runs currently recorded as running', (s) => s.runs.filter((r) => r.status === 'running').length);
  gauge('engagement_tracker_batch_recent_failed_runs', 'Failed runs among the last 50', (s) => s.runs.filter((r) => r.status === 'failed').length);
  gauge('engagement_tracker_points_awarded_today', 'Points awarded so far today (UTC), all sources', (s) => s.today);
  gauge('engagement_tracker_linked_members', 'Members with a linked X account', (s) => s.linked);
}
