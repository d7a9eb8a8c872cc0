/**
 * Child process of the batch bench: runs one strategy's batches like the batch-job process would
 * (its own Redis connection and X clients), on the simulated clock the parent sends, and reports
 * its own peak memory. The parent holds the X double and the scenario.
 */
import { getHeapStatistics } from 'node:v8';
import { createLogger, createStores, createXClientFactory, createRedis } from '@engagement-tracker/core';
import { runBatch } from '../src/engine';
import { runNaive } from './naive';

interface RunMsg {
  type: 'run';
  strategy: 'planner' | 'naive';
  now: number;
  index: number;
  prefix: string;
  redisUrl: string;
  xUrl: string;
  /** Every run time of the scenario: the batch's schedule. */
  schedule: number[];
}

let peak = 0;
let heapPeak = 0;
const sample = () => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
};
setInterval(sample, 25).unref();
const logger = createLogger('batch-bench', process.env.LOG_LEVEL ?? 'silent');
let clock = 0;
let redis: ReturnType<typeof createRedis> | null = null;

process.on('message', (raw) => {
  const msg = raw as RunMsg | { type: 'exit' };
  if (msg.type === 'exit') {
    redis?.disconnect();
    process.exit(0);
  }
  void (async () => {
    const m = msg as RunMsg;
    clock = m.now;
    redis ??= createRedis(m.redisUrl);
    const stores = createStores(redis, { prefix: m.prefix, encryptionKey: 'c'.repeat(64), now: () => clock });
    const x = createXClientFactory({ baseUrl: m.xUrl, authorizeUrl: `${m.xUrl}/i/oauth2/authorize`, clientId: 'sandbox-client', bearerToken: 'sandbox-bearer-token', timeoutMs: 10_000 });
    const started = performance.now();
    let status = 'succeeded';
    let refused = 0;
    let costUsd: number | undefined;
    let error: string | undefined;
    let moderationMs = 0;
    if (m.strategy === 'planner') {
      const nextRunAt = (after: number) => m.schedule.find((t) => t >= after) ?? after;
      const out = await runBatch({ stores, x, logger, now: () => clock }, { trigger: 'schedule', backoffMs: 50, nextRunAt });
      status = out.status;
      error = out.error;
      costUsd = out.stats.costUsd ?? 0;
      moderationMs = out.stats.moderationMs ?? 0;
    } else {
      refused = (await runNaive(stores, x, `naive-${m.index}`, clock - 24 * 3_600_000)).refused;
    }
    sample();
    process.send!({ type: 'done', status, refused, wallMs: performance.now() - started, rssMb: Math.round(peak / 1048576), heapMb: Math.round(heapPeak / 1048576), moderationMs, ...(costUsd !== undefined ? { costUsd } : {}), ...(error ? { error } : {}) });
  })().catch((err: unknown) => {
    process.send!({ type: 'error', error: String((err as Error)?.stack ?? err) });
  });
});
process.send!({ type: 'ready', heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1048576) });
