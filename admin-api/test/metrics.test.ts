import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { registerBatchMetrics } from '../src/metrics/batch-metrics';
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
