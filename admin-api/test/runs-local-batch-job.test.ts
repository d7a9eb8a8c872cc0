import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Stores } from '@engagement-tracker/core';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { LocalLauncher } from '../src/runs/local-launcher';
import { ManualRuns } from '../src/runs/manual-runs';
import { silentLog, testStores } from './helpers';

let redis: TestRedisServer;
let x: XDouble;
let stores: Stores;
let runs: ManualRuns;
let launcher: LocalLauncher;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  x = await startXDouble();
  stores = testStores(redis.client());
  const ref: { runs?: ManualRuns } = {};
  // The real batch program, started the way the admin API starts it outside Kubernetes.
  launcher = new LocalLauncher({
    command: 'tsx batch-job/src/main.ts run',
    env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: stores.keys.prefix, SANDBOX: 'true', TWITTER_API_BASE_URL: x.url, LOG_LEVEL: 'silent', OTEL_SDK_DISABLED: 'true' },
    stores,
    log: silentLog,
    stdio: 'ignore',
    onExit: (id) => ref.runs?.release(id),
  });
  runs = new ManualRuns({ stores, launcher, log: silentLog, guardMs: 60_000 });
  ref.runs = runs;
});
afterAll(async () => {
  runs?.close();
  await launcher?.close();
  await x?.close();
  await redis?.stop();
});

describe('a manual run of the real batch-job program as a child process', () => {
  it('runs to the end and leaves exactly one finished manual run carrying the job name', async () => {
    const started = await runs.start('discord:7');
    await launcher.idle();
    const run = await stores.batches.get(started.id);
    expect(run, JSON.stringify((await stores.batches.list({ limit: 10 })).items)).toMatchObject({ trigger: 'manual', jobName: started.jobName });
    expect(run!.status).toBe('succeeded');
    expect(run!.error ?? '').not.toMatch(/exited|killed/);
    const same = (await stores.batches.list({ limit: 50 })).items.filter((r) => r.jobName === started.jobName);
    expect(same.map((r) => r.id)).toEqual([started.id]);
  });
});
