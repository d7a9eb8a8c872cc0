import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogger, createStores, SANDBOX_ENCRYPTION_KEY } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { buildScenario, seedStores, startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../src/args';
import { loadJobConfig } from '../src/config';
import { runOnce } from '../src/run-once';
import { startScheduler } from '../src/scheduler';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
let server: TestRedisServer;
let x: XDouble;
const prefix = `cli${Date.now() % 100000}`;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startRedisServer();
  // Real time here: the child process runs on the wall clock.
  const sc = buildScenario({ seed: 5, members: 12, tweets: 4, hours: 6, end: Date.now() - 60_000 });
  sc.advanceTo(Date.now());
  x = await startXDouble({ state: sc.state });
  const redis = server.client();
  const stores = createStores(redis, { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
  await seedStores(stores, sc, Date.now());
  env = {
    PATH: process.env.PATH, REDIS_URL: server.url, REDIS_KEY_PREFIX: prefix, SANDBOX: 'true', LOG_LEVEL: 'warn',
    TWITTER_API_BASE_URL: x.url, TWITTER_BEARER_TOKEN: 'sandbox-bearer-token', OTEL_SDK_DISABLED: 'true',
  };
});
afterAll(async () => {
  await x?.close();
  await server?.stop();
});

function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...env, ...extra }, cwd: join(import.meta.dirname, '..', '..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const summary = (stdout: string) => JSON.parse(stdout.trim().split('\n').filter((l) => l.includes('"exitCode"')).at(-1)!) as { runId: string; status: string; exitCode: number; stats: Record<string, number> };

describe('batch-job CLI', () => {
  it('parses commands and rejects bad usage', () => {
    expect(parseCommand(['run', '--dry-run', '--tweet', '123', '--window', '12h'])).toEqual({ cmd: 'run', dryRun: true, tweetId: '123', windowMs: 12 * 3_600_000 });
    expect(parseCommand([])).toEqual({ cmd: 'run', dryRun: false });
    expect(parseCommand(['schedule'])).toEqual({ cmd: 'schedule' });
    expect(() => parseCommand(['run', '--window', 'soon'])).toThrow(UsageError);
    expect(() => parseCommand(['run', '--tweet', 'abc'])).toThrow(UsageError);
    expect(() => parseCommand(['launch'])).toThrow(UsageError);
  });

  it('refuses to start outside sandbox mode without credentials', () => {
    expect(() => loadJobConfig({ SANDBOX: 'false' })).toThrow(/TOKEN_ENCRYPTION_KEY is required outside sandbox mode; batch-job outside sandbox mode needs TWITTER_BEARER_TOKEN, TWITTER_CLIENT_ID/);
    expect(loadJobConfig({}).sandbox).toBe(true);
    expect(() => loadJobConfig({ SANDBOX: 'true', TWITTER_BEARER_TOKEN: 'real' })).toThrow(/TOKEN_ENCRYPTION_KEY is required with real Discord or X credentials/);
    expect(loadJobConfig({ SANDBOX: 'true', TWITTER_BEARER_TOKEN: 'sandbox', TWITTER_API_BASE_URL: 'http://127.0.0.1:9' }).sandbox).toBe(true);
    expect(loadJobConfig({}).env.BATCH_SCHEDULE).toBe('*/30 * * * *');
  });

  it('dry run awards nothing; a real run records trigger and job name and exits 0; usage errors exit 2', async () => {
    const dry = await cli(['run', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(summary(dry.stdout).stats.awarded ?? 0).toBe(0);
    expect(summary(dry.stdout).stats.engagementsFound).toBeGreaterThan(0);

    // A run record from 120 days ago and a day of statistics from 500 days ago: past what is kept (90 and 400 days).
    const stores = createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    const old = await createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY, now: () => Date.now() - 120 * 86_400_000 }).batches.create({ trigger: 'schedule', status: 'failed' });
    await stores.ctx.redis.hset(stores.keys.pointsDaily(), '2020-01-01', 5);

    const res = await cli(['run'], { BATCH_TRIGGER: 'manual', JOB_NAME: 'et-batch-manual-abc12' });
    expect(res.code).toBe(0);
    const out = summary(res.stdout);
    expect(out.stats.awarded).toBeGreaterThan(0);
    const run = await stores.batches.findByJobName('et-batch-manual-abc12');
    expect(run).toMatchObject({ id: out.runId, status: 'succeeded', trigger: 'manual' });
    // The run bounded the keys that have no bound of their own.
    expect(await stores.batches.get(old.id)).toBeNull();
    expect(await stores.ctx.redis.hexists(stores.keys.pointsDaily(), '2020-01-01')).toBe(0);

    expect((await cli(['run', '--window', 'forever'])).code).toBe(2);
  }, 120_000); // three processes one after the other: slow on a busy machine

  it('a run asked to stop (SIGTERM) leaves bounding old keys to the next run', async () => {
    const stores = createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    const old = await createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY, now: () => Date.now() - 120 * 86_400_000 }).batches.create({ trigger: 'schedule', status: 'failed' });
    const abort = new AbortController();
    abort.abort();
    const out = await runOnce(loadJobConfig(env), createLogger('batch-job', 'silent'), { trigger: 'cli', signal: abort.signal });
    expect(out.status).not.toBe('skipped');
    expect(await stores.batches.get(old.id)).toMatchObject({ status: 'failed' });
    expect(await stores.housekeeping.run()).toMatchObject({ runsRemoved: 1 });
  });

  it('records the run under BATCH_RUN_ID (the record the admin API wrote first), and never reruns an ended one', async () => {
    const stores = createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    const placeholder = await stores.batches.create({ id: 'run-20261129T090000Z-abc123', trigger: 'manual', jobName: 'local-run-20261129T090000Z-abc123' });
    // A Job made from the CronJob keeps the template's BATCH_TRIGGER=schedule: the record's trigger stands.
    const res = await cli(['run', '--dry-run'], { BATCH_TRIGGER: 'schedule', BATCH_RUN_ID: placeholder.id });
    expect(res.code).toBe(0);
    expect(summary(res.stdout).runId).toBe(placeholder.id);
    expect(await stores.batches.get(placeholder.id)).toMatchObject({ status: 'succeeded', trigger: 'manual', jobName: placeholder.jobName });
    expect((await stores.batches.list({ limit: 100 })).items.filter((r) => r.jobName === placeholder.jobName)).toHaveLength(1);
    // The same id again: refused, the record stays as it was.
    const again = await cli(['run', '--dry-run'], { BATCH_TRIGGER: 'manual', BATCH_RUN_ID: placeholder.id });
    expect(again.code).toBe(1);
    expect(await stores.batches.get(placeholder.id)).toMatchObject({ status: 'succeeded' });
    expect((await cli(['run'], { BATCH_RUN_ID: 'run:1:logs' })).code).toBe(1);
  });

  it('skips (exit 0, recorded as skipped, not failed) while another live run holds the lock', async () => {
    const stores = createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    const live = await stores.batches.create({ trigger: 'schedule' });
    const lock = await stores.batches.acquireLock(live.id, 30_000);
    try {
      const res = await cli(['run']);
      expect(res.code).toBe(0);
      const out = summary(res.stdout);
      expect(out).toMatchObject({ status: 'skipped', exitCode: 0 });
      expect(await stores.batches.get(out.runId)).toMatchObject({ status: 'skipped', error: expect.stringContaining(live.id) });
      expect((await stores.batches.get(live.id))!.status).toBe('running');
    } finally {
      await stores.batches.releaseLock(live.id, lock!.fence);
      await stores.batches.finish(live.id, 'succeeded');
    }
  });

  it('the scheduler runs on its cron, serves health, and stops cleanly', async () => {
    const cfg = loadJobConfig({ ...env, BATCH_SCHEDULE: '*/1 * * * * *', HEALTH_PORT: '0' });
    const scheduler = await startScheduler(cfg, createLogger('batch-job', 'silent'));
    try {
      expect((await fetch(`http://127.0.0.1:${scheduler.health.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${scheduler.health.port}/readyz`)).status).toBe(200);
      const stores = createStores(server.client(), { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
      const deadline = Date.now() + 10_000;
      let scheduled = 0;
      while (Date.now() < deadline && !scheduled) {
        await new Promise((r) => setTimeout(r, 200));
        scheduled = (await stores.batches.list({ filter: { trigger: 'schedule' } })).total;
      }
      expect(scheduled).toBeGreaterThan(0);
      const metrics = await (await fetch(`http://127.0.0.1:${scheduler.health.port}/metrics`)).text();
      expect(metrics).toContain('engagement_tracker_batch_scheduler_runs_total');
    } finally {
      await scheduler.stop();
    }
  });
});
