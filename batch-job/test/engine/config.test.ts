import { describe, expect, it } from 'vitest';
import { ConfigError } from '@engagement-tracker/core';
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
});
