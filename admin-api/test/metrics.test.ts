import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, instrumentRedis } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { registerBatchMetrics } from '../src/metrics/batch-metrics';
import { client, startTestApp } from './app-harness';
import { testStores } from './helpers';

let redis: TestRedisServer;
beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
});
afterAll(async () => {
  await redis?.stop();
});

const value = (text: string, metric: string) => {
  const line = text.split('\n').find((l) => l.startsWith(metric));
  return line ? Number(line.split(' ').pop()) : undefined;
};

describe('batch gauges from Redis at scrape time', () => {
  it('reports the last finished run, the last success, running runs and linked members', async () => {
    const stores = testStores(redis.client());
    const registry = createMetricsRegistry('admin-api');
    registerBatchMetrics(registry, stores);
    const ok = await stores.batches.create({ trigger: 'schedule' });
    await stores.batches.finish(ok.id, 'succeeded', { stats: { requests: 12, costUsd: 0.25, pointsAwarded: 40 } });
    await new Promise((r) => setTimeout(r, 5));
    const bad = await stores.batches.create({ trigger: 'manual' });
    await stores.batches.finish(bad.id, 'failed', { error: 'OOMKilled' });
    await new Promise((r) => setTimeout(r, 5));
    await stores.batches.create({ trigger: 'schedule' });
    const text = await registry.metrics();
    expect(value(text, 'engagement_tracker_batch_last_run_status{status="failed"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_last_run_status{status="succeeded"')).toBe(0);
    expect(value(text, 'engagement_tracker_batch_last_success_timestamp_seconds')).toBeCloseTo((await stores.batches.get(ok.id))!.endedAt! / 1000, 3);
    expect(value(text, 'engagement_tracker_batch_runs_running')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_recent_failed_runs')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_last_run_x_requests')).toBe(0); // the failed run recorded none
    expect(value(text, 'engagement_tracker_linked_members')).toBe(0);
  });
});

describe('running totals and thresholds', () => {
  it('exports runs by trigger and status, X requests by endpoint, 429s, stops, cost today, streaks and Job deaths', async () => {
    const stores = testStores(redis.client());
    const registry = createMetricsRegistry('admin-api');
    registerBatchMetrics(registry, stores, { scheduleIntervalSeconds: 60, maxWallSeconds: 30, dailyBudgetUsd: 5 });
    const finish = async (trigger: 'schedule' | 'manual', status: 'succeeded' | 'partial' | 'failed' | 'skipped', stats: Record<string, number>, jobDied?: string) => {
      const r = await stores.batches.create({ trigger });
      await stores.batches.finish(r.id, status, { stats, ...(jobDied ? { jobDied } : {}) });
      await new Promise((res) => setTimeout(res, 5));
    };
    await finish('schedule', 'succeeded', { requests: 3, requests_tweets_lookup: 2, requests_liked_tweets: 1, costUsd: 0.5, billedPosts: 100, pointsAwarded: 7 });
    await finish('schedule', 'partial', { requests: 2, requests_liked_tweets: 2, rateLimited: 1, refusedAvoided: 4, stopped_rate_limited: 1, costUsd: 0.25 });
    await finish('manual', 'failed', {}, 'OOMKilled');
    await finish('manual', 'skipped', {});
    await finish('schedule', 'failed', { errors: 1 });
    const text = await registry.metrics();
    expect(value(text, 'engagement_tracker_batch_runs_total{trigger="schedule",status="succeeded"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_runs_total{trigger="schedule",status="failed"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_runs_total{trigger="manual",status="failed"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_x_requests_total{endpoint="liked_tweets"')).toBe(3);
    expect(value(text, 'engagement_tracker_batch_x_requests_total{endpoint="tweets_lookup"')).toBe(2);
    expect(value(text, 'engagement_tracker_batch_x_rate_limited_total')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_x_held_back_total')).toBe(4);
    expect(value(text, 'engagement_tracker_batch_stops_total{reason="rate_limited"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_x_cost_usd_total')).toBeCloseTo(0.75, 6);
    expect(value(text, 'engagement_tracker_batch_x_cost_usd_today')).toBeCloseTo(0.75, 6);
    expect(value(text, 'engagement_tracker_batch_billed_posts_total')).toBe(100);
    expect(value(text, 'engagement_tracker_batch_points_awarded_total')).toBe(7);
    expect(value(text, 'engagement_tracker_batch_jobs_died_total{reason="OOMKilled"')).toBe(1);
    // A run skipped because another held the lock neither breaks nor extends a failure streak.
    expect(value(text, 'engagement_tracker_batch_consecutive_failed_runs')).toBe(2);
    expect(value(text, 'engagement_tracker_batch_runs_total{trigger="manual",status="skipped"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_last_run_status{status="failed"')).toBe(1);
    expect(value(text, 'engagement_tracker_batch_consecutive_partial_runs')).toBe(0);
    expect(value(text, 'engagement_tracker_batch_x_daily_budget_usd')).toBe(5);
    expect(value(text, 'engagement_tracker_batch_schedule_interval_seconds')).toBe(60);
    expect(value(text, 'engagement_tracker_batch_max_wall_seconds')).toBe(30);
    expect(value(text, 'engagement_tracker_batch_watermark_age_seconds')).toBe(0);
    // A run finished twice (the watcher and the program racing) counts once.
    const r = await stores.batches.create({ trigger: 'schedule' });
    await stores.batches.finish(r.id, 'succeeded', { stats: { pointsAwarded: 1 } });
    await stores.batches.finish(r.id, 'failed', {});
    // A partial run left its member sweep unfinished ten minutes ago.
    await stores.ctx.redis.set(stores.keys.wmSweep(), JSON.stringify({ cursor: '1', snapshot: {}, startedAt: Date.now() - 600_000, modes: 'likes' }));
    await new Promise((res) => setTimeout(res, 1100));
    const again = await registry.metrics();
    expect(value(again, 'engagement_tracker_batch_watermark_age_seconds')).toBeGreaterThanOrEqual(600);
    expect(value(again, 'engagement_tracker_batch_runs_total{trigger="schedule",status="succeeded"')).toBe(2);
    expect(value(again, 'engagement_tracker_batch_runs_total{trigger="schedule",status="failed"')).toBe(1);
    expect(value(again, 'engagement_tracker_batch_consecutive_failed_runs')).toBe(0);
    expect(value(again, 'engagement_tracker_batch_last_success_timestamp_seconds')).toBeCloseTo((await stores.batches.get(r.id))!.endedAt! / 1000, 3);
  });

  it('exports the anomaly signals and Redis reachability', async () => {
    const client = redis.client();
    const stores = testStores(client);
    const registry = createMetricsRegistry('admin-api');
    registerBatchMetrics(registry, stores, { anomaly: { factor: 10, minMemberPoints: 100, minCommunityPoints: 500 } });
    instrumentRedis(registry, client);
    await stores.members.ensure('111111111111111111', 'Mallory');
    await stores.ledger.adjust({ discordId: '111111111111111111', delta: 800, reason: 'test', actor: 'admin' });
    const text = await registry.metrics();
    expect(value(text, 'engagement_tracker_points_anomalous_members')).toBe(1);
    expect(value(text, 'engagement_tracker_points_member_gain_max{window="1h"')).toBe(800);
    expect(value(text, 'engagement_tracker_points_community_anomalous')).toBe(1);
    expect(value(text, 'engagement_tracker_points_adjusted_24h')).toBe(800);
    expect(value(text, 'engagement_tracker_redis_up')).toBe(1);
    expect(value(text, 'engagement_tracker_redis_command_duration_seconds_count')).toBeGreaterThan(0);
  });
});

describe('admin API request signals', () => {
  it('count requests by route and status, sign-in failures, rate-limited requests and refused manual runs', async () => {
    const registry = createMetricsRegistry('admin-api');
    const app = await startTestApp(redis, { API_RATE_LIMIT_PER_MINUTE: '30' }, { registry });
    try {
      const before = await registry.metrics();
      for (const series of ['engagement_tracker_admin_api_sign_in_failures_total{reason="unauthenticated"', 'engagement_tracker_admin_api_rate_limited_total{scope="ip"', 'engagement_tracker_admin_api_manual_runs_refused_total']) expect(value(before, series), series).toBe(0);
      const anonymous = client(app.url, '', '');
      expect((await anonymous.fetch('/api/members')).status).toBe(401);
      const admin = await app.login('admin');
      expect((await admin.fetch('/api/batches', { method: 'POST', body: {} })).status).toBe(202);
      expect((await admin.fetch('/api/batches', { method: 'POST', body: {} })).status).toBe(409);
      let limited = 0;
      for (let i = 0; i < 40 && !limited; i++) if ((await anonymous.fetch('/healthz/../api/members')).status === 429) limited++;
      const text = await registry.metrics();
      expect(value(text, 'engagement_tracker_admin_api_sign_in_failures_total{reason="unauthenticated"')).toBeGreaterThanOrEqual(1);
      expect(value(text, 'engagement_tracker_admin_api_manual_runs_refused_total')).toBe(1);
      expect(value(text, 'engagement_tracker_admin_api_requests_total{method="POST",route="/api/batches/",status="409"')).toBe(1);
      expect(limited).toBe(1);
      expect(value(text, 'engagement_tracker_admin_api_rate_limited_total{scope="ip"')).toBe(1);
      expect(text).toContain('engagement_tracker_admin_api_request_duration_seconds_bucket');
    } finally {
      await app.close();
    }
  });
});
