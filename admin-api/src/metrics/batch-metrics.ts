import { Counter, Gauge, type Registry } from 'prom-client';
import { DEFAULT_ANOMALY_THRESHOLDS, utcDay, type AnomalyThresholds, type BatchRun, type PointsReport, type Stores } from '@engagement-tracker/core';

export interface StoredMetricsOptions {
  /** Seconds between two scheduled runs (from BATCH_SCHEDULE) and a run's time cap: the staleness limit is 2 × interval + cap. */
  scheduleIntervalSeconds?: number;
  maxWallSeconds?: number;
  /** X spend per UTC day above which the budget alert fires (0 = no budget). */
  dailyBudgetUsd?: number;
  anomaly?: AnomalyThresholds;
  /** Posts submitted within this window count as tracked. */
  trackingWindowMs?: number;
}

/** Why a run stops early (StopRun reasons) and how a Job dies (the Job watcher's reasons). */
const STOP_REASONS = ['rate_limited', 'budget', 'wall_time', 'cancelled'] as const;
export const JOB_DEATHS = ['OOMKilled', 'ImagePull', 'DeadlineExceeded', 'BackoffLimitExceeded', 'NoResult', 'Other'] as const;

type Values = number | Array<[Record<string, string>, number]>;

/**
 * Batch, X and ledger signals read from Redis at scrape time. The batch CronJob is short-lived, so the
 * long-running admin API exports what its runs recorded (no Pushgateway): the runs' records, the
 * running totals every finished run adds to (`stats:batch`), and the anomaly report computed from the
 * ledger's logs. Every replica reports the same values: aggregate with max() in alerts.
 */
export function registerBatchMetrics(registry: Registry, stores: Stores, opts: StoredMetricsOptions = {}): void {
  const thresholds = opts.anomaly ?? DEFAULT_ANOMALY_THRESHOLDS;
  const windowMs = opts.trackingWindowMs ?? 24 * 3_600_000;
  interface Snapshot { runs: BatchRun[]; linked: number; needsReconnect: number; today: number; tracked: number; counters: Record<string, number>; costToday: number; sweepStartedAt: number }
  const cached = <T>(ttlMs: number, load: () => Promise<T>) => {
    let at = 0;
    let value: Promise<T> | null = null;
    return () => {
      if (!value || Date.now() - at >= ttlMs) {
        at = Date.now();
        value = load();
        value.catch(() => (value = null));
      }
      return value;
    };
  };
  // Counting members who need to reconnect reads every link: at most every 30 s.
  const reconnectCount = cached(30_000, async () => (await stores.connections.listLinked()).filter((c) => c.status === 'needs_reconnect').length);
  const snapshot = cached<Snapshot>(1000, async () => {
    const now = stores.ctx.now();
    const [page, linked, days, tracked, totals, conns, sweep] = await Promise.all([
      stores.batches.list({ offset: 0, limit: 50 }),
      stores.connections.count(),
      stores.ledger.pointsPerDay(1),
      stores.ctx.redis.zcount(stores.keys.tweetsRecent(), now - windowMs, '+inf'),
      stores.batches.counters(),
      reconnectCount(),
      // The batch's unfinished member sweep (a partial run's saved place), kept under <prefix>:xwm:sweep.
      stores.ctx.redis.get(stores.keys.wmSweep()),
    ]);
    const sweepStartedAt = sweep ? Number((JSON.parse(sweep) as { startedAt?: number }).startedAt ?? 0) : 0;
    return { runs: page.items, linked, needsReconnect: conns, today: days.find((d) => d.day === utcDay(now))?.points ?? 0, tracked, ...totals, sweepStartedAt };
  });
  const points = cached<PointsReport>(10_000, () => stores.points.report(thresholds));

  // Runs that did the work and ended: a run still going, or one skipped because another held the lock, is neither a success nor a failure.
  const finished = (r: BatchRun) => r.status === 'succeeded' || r.status === 'partial' || r.status === 'failed';
  const lastFinished = (runs: BatchRun[]) => runs.find(finished);
  const seconds = (ms?: number) => (ms ? ms / 1000 : 0);
  const streak = (runs: BatchRun[], bad: (r: BatchRun) => boolean) => {
    let n = 0;
    for (const r of runs) {
      if (!finished(r)) continue;
      if (!bad(r)) break;
      n += 1;
    }
    return n;
  };
  const set = (metric: Gauge | Counter, v: Values) => {
    metric.reset();
    const put = (labels: Record<string, string>, n: number) => {
      if (metric instanceof Gauge) metric.set(labels, n);
      else metric.inc(labels, n);
    };
    if (typeof v === 'number') put({}, v);
    else for (const [labels, n] of v) put(labels, n);
  };
  /**
   * Read a source for a scrape, at most 1 s: when Redis does not answer, the series are left out (the
   * scrape itself succeeds, and engagement_tracker_redis_up says why).
   */
  const fill = async <S>(metric: Gauge | Counter, source: () => Promise<S>, read: (s: S) => Values) => {
    let timer: NodeJS.Timeout | undefined;
    const s = await Promise.race([source().catch(() => null), new Promise<null>((r) => (timer = setTimeout(() => r(null), 1000)))]);
    clearTimeout(timer);
    if (s === null) metric.reset();
    else set(metric, read(s));
  };
  const gauge = <S>(source: () => Promise<S>, name: string, help: string, read: (s: S) => Values, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry], async collect() { await fill(this, source, read); } });
  const total = (name: string, help: string, read: (c: Record<string, number>) => Values, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry], async collect() { await fill(this, snapshot, (s) => read(s.counters)); } });
  /**
   * Counter fields `<prefix>|a|b` as label sets; the `known` combinations are always exported (0 until
   * counted), so increase() sees their first occurrence.
   */
  const byPrefix = (c: Record<string, number>, prefix: string, labels: string[], known: string[][] = []): Array<[Record<string, string>, number]> => {
    const keys = new Set([...known.map((parts) => `${prefix}|${parts.join('|')}`), ...Object.keys(c).filter((k) => k.startsWith(`${prefix}|`))]);
    return [...keys].map((k) => {
      const parts = k.split('|').slice(1);
      return [Object.fromEntries(labels.map((l, i) => [l, parts[i] ?? ''])), c[k] ?? 0];
    });
  };
  const cross = (a: readonly string[], b: readonly string[]) => a.flatMap((x) => b.map((y) => [x, y]));
  const run = (name: string, help: string, read: (s: Snapshot) => Values, labelNames: string[] = []) => gauge(snapshot, name, help, read, labelNames);
  const pts = (name: string, help: string, read: (p: PointsReport) => Values, labelNames: string[] = []) => gauge(points, name, help, read, labelNames);

  // The last runs, as recorded.
  run('engagement_tracker_batch_last_run_status', 'Status of the last finished batch run (1 for its status)', (s) => {
    const r = lastFinished(s.runs);
    return (['succeeded', 'partial', 'failed'] as const).map((st) => [{ status: st }, r?.status === st ? 1 : 0]);
  }, ['status']);
  run('engagement_tracker_batch_last_run_end_timestamp_seconds', 'When the last finished batch run ended', (s) => seconds(lastFinished(s.runs)?.endedAt));
  run('engagement_tracker_batch_last_success_timestamp_seconds', 'When the last succeeded batch run ended (0: none recorded)', (s) => seconds(s.counters.last_success_at || s.runs.find((r) => r.status === 'succeeded')?.endedAt));
  run('engagement_tracker_batch_last_run_duration_seconds', 'Duration of the last finished batch run', (s) => {
    const r = lastFinished(s.runs);
    return r?.endedAt ? (r.endedAt - r.startedAt) / 1000 : 0;
  });
  run('engagement_tracker_batch_last_run_x_requests', 'X API requests of the last finished batch run', (s) => lastFinished(s.runs)?.stats.requests ?? 0);
  run('engagement_tracker_batch_last_run_cost_usd', 'Estimated X API cost of the last finished batch run', (s) => lastFinished(s.runs)?.stats.costUsd ?? 0);
  run('engagement_tracker_batch_last_run_points_awarded', 'Points awarded by the last finished batch run', (s) => lastFinished(s.runs)?.stats.pointsAwarded ?? 0);
  run('engagement_tracker_batch_runs_running', 'Batch runs currently recorded as running', (s) => s.runs.filter((r) => r.status === 'running').length);
  run('engagement_tracker_batch_running_seconds', 'How long the oldest run still recorded as running has been going (0: none)', (s) => {
    const running = s.runs.filter((r) => r.status === 'running');
    return running.length ? Math.max(...running.map((r) => (stores.ctx.now() - r.startedAt) / 1000)) : 0;
  });
  run('engagement_tracker_batch_recent_failed_runs', 'Failed runs among the last 50', (s) => s.runs.filter((r) => r.status === 'failed').length);
  run('engagement_tracker_batch_consecutive_failed_runs', 'Latest finished runs that failed, in a row', (s) => streak(s.runs, (r) => r.status === 'failed'));
  run('engagement_tracker_batch_consecutive_rate_limited_runs', "Latest finished runs that X's rate limit stopped early, in a row", (s) => streak(s.runs, (r) => r.status === 'partial' && Boolean(r.stats.stopped_rate_limited)));
  run('engagement_tracker_batch_consecutive_partial_runs', 'Latest finished runs that ended partial (stopped early), in a row', (s) => streak(s.runs, (r) => r.status === 'partial'));
  run('engagement_tracker_batch_watermark_age_seconds', "How long the batch's watermarks have waited on an unfinished member sweep (runs stopped early resume it); 0 when none", (s) => (s.sweepStartedAt ? Math.max(0, (stores.ctx.now() - s.sweepStartedAt) / 1000) : 0));
  run('engagement_tracker_batch_schedule_interval_seconds', 'Seconds between two scheduled runs (BATCH_SCHEDULE, as configured for the admin API)', () => opts.scheduleIntervalSeconds ?? 1800);
  run('engagement_tracker_batch_max_wall_seconds', 'Time cap of one run (BATCH_MAX_WALL_SECONDS, as configured for the admin API)', () => opts.maxWallSeconds ?? 600);

  // Running totals every finished run adds to (Redis, so they survive restarts and replicas agree).
  total('engagement_tracker_batch_runs_total', 'Finished batch runs by trigger and status (skipped: another run held the lock, not a failure)', (c) => byPrefix(c, 'runs', ['trigger', 'status'], cross(['schedule', 'manual', 'cli'], ['succeeded', 'partial', 'failed', 'skipped'])), ['trigger', 'status']);
  total('engagement_tracker_batch_stops_total', 'Runs that stopped early, by reason (rate_limited, budget, wall_time, cancelled)', (c) => byPrefix(c, 'stops', ['reason'], STOP_REASONS.map((r) => [r])), ['reason']);
  total('engagement_tracker_batch_x_requests_total', 'X API requests sent by batch runs, by endpoint', (c) => byPrefix(c, 'x_requests', ['endpoint']), ['endpoint']);
  total('engagement_tracker_batch_x_rate_limited_total', '429 answers received from X by batch runs', (c) => c.x_rate_limited ?? 0);
  total('engagement_tracker_batch_x_held_back_total', 'Requests batch runs did not send because the rate-limit headers said X would refuse them', (c) => c.x_held_back ?? 0);
  total('engagement_tracker_batch_x_retries_total', 'X requests retried after a 5xx or a network error', (c) => c.x_retries ?? 0);
  total('engagement_tracker_batch_billed_posts_total', 'Distinct posts X returned (billed) per run, summed', (c) => c.billed_posts ?? 0);
  total('engagement_tracker_batch_billed_users_total', 'Distinct users X returned (billed) per run, summed', (c) => c.billed_users ?? 0);
  total('engagement_tracker_batch_x_cost_usd_total', 'Estimated X API cost of all runs (USD)', (c) => c.x_cost_usd ?? 0);
  total('engagement_tracker_batch_points_awarded_total', 'Points awarded by batch runs', (c) => c.points_awarded ?? 0);
  total('engagement_tracker_batch_jobs_died_total', 'Batch Jobs the Job watcher saw die without recording their end, by reason (OOMKilled, ImagePull, DeadlineExceeded, ...)', (c) => byPrefix(c, 'job_died', ['reason'], JOB_DEATHS.map((r) => [r])), ['reason']);
  run('engagement_tracker_batch_x_cost_usd_today', 'Estimated X API cost of the runs that ended today (UTC)', (s) => s.costToday);
  run('engagement_tracker_batch_x_daily_budget_usd', 'X spend per UTC day the budget alert compares with (X_DAILY_BUDGET_USD; 0 = none)', () => opts.dailyBudgetUsd ?? 0);

  // Members and posts.
  run('engagement_tracker_linked_members', 'Members with a linked X account', (s) => s.linked);
  run('engagement_tracker_members_needs_reconnect', 'Linked members whose X grant stopped working (they must /connect again)', (s) => s.needsReconnect);
  run('engagement_tracker_tweets_tracked', 'Posts submitted within the tracking window (what the batch reads)', (s) => s.tracked);
  run('engagement_tracker_points_awarded_today', 'Points awarded so far today (UTC), all sources', (s) => s.today);

  // Anomalous point accumulation (see PointsWatch for the definition).
  pts('engagement_tracker_points_member_gain_max', 'Largest points gained by a single member in the window (awards plus adjustments)', (p) => [[{ window: '1h' }, p.maxGain1h], [{ window: '24h' }, p.maxGain24h]], ['window']);
  pts('engagement_tracker_points_member_gain_ratio_max', "Largest member gain in 24 h divided by that member's baseline (the larger of their own and the community's points per day)", (p) => p.maxGainRatio);
  pts('engagement_tracker_points_anomalous_members', 'Members whose last 24 hours are anomalous (console: Members, filter "Anomalous")', (p) => p.flagged.length);
  pts('engagement_tracker_points_last_24h', 'Points given in the last 24 hours (awards plus adjustments, net)', (p) => p.last24h);
  pts('engagement_tracker_points_daily_median_14d', 'Median points given per UTC day over the 14 days before today', (p) => p.dailyMedian14d);
  pts('engagement_tracker_points_community_anomalous', '1 when the community gained far more in 24 hours than its trailing median day', (p) => (p.communityAnomalous ? 1 : 0));
  pts('engagement_tracker_points_adjustments_24h', 'Manual point adjustments in the last 24 hours', (p) => p.adjustments24h);
  pts('engagement_tracker_points_adjusted_24h', 'Points moved by manual adjustments in the last 24 hours (absolute)', (p) => p.adjustedPoints24h);
}
