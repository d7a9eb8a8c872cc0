import { describe, expect, it } from 'vitest';
import { ConfigError } from '@engagement-tracker/core';
import { loadJobConfig } from '../../src/config';
import { loadBatchConfig } from '../../src/engine';

describe('batch configuration', () => {
  it('takes BATCH_WINDOW as a duration of at most 7 days (as --window)', () => {
    expect(loadBatchConfig({}).BATCH_WINDOW).toBe(86_400_000);
    expect(loadBatchConfig({ BATCH_WINDOW: '90m' }).BATCH_WINDOW).toBe(5_400_000);
    expect(loadBatchConfig({ BATCH_WINDOW: '7d' }).BATCH_WINDOW).toBe(7 * 86_400_000);
    for (const bad of ['30d', '0', 'soon']) {
      expect(() => loadBatchConfig({ BATCH_WINDOW: bad })).toThrow(ConfigError);
    }
    expect(() => loadBatchConfig({ BATCH_WINDOW: '30d' })).toThrow(/BATCH_WINDOW: must be between 1s and 7d/);
  });

  it('takes BATCH_LIKES_DUE_HORIZON as a duration, 3 hours by default', () => {
    expect(loadBatchConfig({}).BATCH_LIKES_DUE_HORIZON).toBe(3 * 3_600_000);
    expect(loadBatchConfig({ BATCH_LIKES_DUE_HORIZON: '24h' }).BATCH_LIKES_DUE_HORIZON).toBe(86_400_000);
    expect(() => loadBatchConfig({ BATCH_LIKES_DUE_HORIZON: '10s' })).toThrow(/BATCH_LIKES_DUE_HORIZON: must be between 1m and 7d/);
  });

  it('takes BATCH_DEADLINE_LIKES_BUDGET_USD as dollars, 2 by default, never negative', () => {
    expect(loadBatchConfig({}).BATCH_DEADLINE_LIKES_BUDGET_USD).toBe(2);
    expect(loadBatchConfig({ BATCH_DEADLINE_LIKES_BUDGET_USD: '0.5' }).BATCH_DEADLINE_LIKES_BUDGET_USD).toBe(0.5);
    expect(loadBatchConfig({ BATCH_DEADLINE_LIKES_BUDGET_USD: '0' }).BATCH_DEADLINE_LIKES_BUDGET_USD).toBe(0);
    for (const bad of ['-1', 'lots']) expect(() => loadBatchConfig({ BATCH_DEADLINE_LIKES_BUDGET_USD: bad })).toThrow(/BATCH_DEADLINE_LIKES_BUDGET_USD/);
  });

  it('takes BATCH_RECONNECT_LIKES_BUDGET_USD as dollars, 0.5 by default, between 0 and 10,000', () => {
    expect(loadBatchConfig({}).BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(0.5);
    expect(loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: '3.25' }).BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(3.25);
    expect(loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: '0' }).BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(0);
    expect(loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: '10000' }).BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(10_000);
    expect(loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: '' }).BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(0.5); // empty: unset
    for (const bad of ['-0.01', '10001', 'half']) {
      expect(() => loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: 'half' })).toThrow(/BATCH_RECONNECT_LIKES_BUDGET_USD/);
    expect(() => loadBatchConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: '-1' })).toThrow(/BATCH_RECONNECT_LIKES_BUDGET_USD: .*(>=|greater|at least|too small)/i);
  });

  it('a run knows its schedule only when BATCH_SCHEDULE is given (the CronJob passes it)', () => {
    expect(loadJobConfig({}).scheduleKnown).toBe(false);
    expect(loadJobConfig({ BATCH_SCHEDULE: '*/15 * * * *', BATCH_TIME_ZONE: 'Europe/Paris' })).toMatchObject({ scheduleKnown: true, env: { BATCH_SCHEDULE: '*/15 * * * *', BATCH_TIME_ZONE: 'Europe/Paris' } });
    expect(() => loadBatchConfig({ BATCH_SCHEDULE: 'every half hour' })).toThrow(/BATCH_SCHEDULE: must be a cron expression/);
    expect(() => loadBatchConfig({ BATCH_TIME_ZONE: 'Mars/Olympus' })).toThrow(/BATCH_TIME_ZONE: must be an IANA time zone/);
  });
});
