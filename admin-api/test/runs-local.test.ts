import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Stores } from '@engagement-tracker/core';
import { LocalLauncher } from '../src/runs/local-launcher';
import { ManualRuns } from '../src/runs/manual-runs';
import { silentLog, testStores, waitFor } from './helpers';

let redis: TestRedisServer;
let stores: Stores;
const made: ManualRuns[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  stores = testStores(redis.client());
});
afterAll(async () => {
  for (const r of made) r.close();
  await redis.stop();
});

function setup(mode: string) {
  const ref: { runs?: ManualRuns } = {};
  const launcher = new LocalLauncher({
    command: 'tsx admin-api/test/fixtures/fake-batch.ts',
    env: { FAKE_MODE: mode, REDIS_URL: redis.url, REDIS_KEY_PREFIX: stores.keys.prefix },
    stores,
    log: silentLog,
    stdio: 'ignore',
    onExit: (id) => ref.runs?.release(id),
    pollMs: 100,
  });
  const runs = new ManualRuns({ stores, launcher, log: silentLog, guardMs: 60_000 });
  ref.runs = runs;
  made.push(runs);
  return { launcher, runs };
}

describe('manual runs as a local child process', () => {
  it('starts the batch program with the run env; its own result stands; the next start is allowed after it ended', async () => {
    const { launcher, runs } = setup('finish');
    const run = await runs.start('discord:1');
    expect(run).toMatchObject({ status: 'running', trigger: 'manual', jobName: `local-${run.id}` });
    await expect(runs.start('discord:1')).rejects.toMatchObject({ status: 409, code: 'batch_starting' });
    await launcher.idle();
    expect(await stores.batches.get(run.id)).toMatchObject({ status: 'succeeded', stats: { requests: 2 } });
    const audit = await stores.audit.list({ filter: { action: 'batch.start' } });
    expect(audit.items[0]).toMatchObject({ actor: 'discord:1', target: run.id });
    const again = await runs.start('discord:1');
    await launcher.idle();
    expect((await stores.batches.get(again.id))?.status).toBe('succeeded');
  });

  it('marks a run failed with the exit code when the process crashes before finishing it', async () => {
    const { launcher, runs } = setup('crash');
    const run = await runs.start('discord:1');
    await launcher.idle();
    const after = await stores.batches.get(run.id);
    expect(after?.status).toBe('failed');
    expect(after?.error).toMatch(/exited with code 3/);
  });

  it('marks a run failed when the process exits 0 without recording a result, or is killed', async () => {
    const silent = setup('silent');
    const a = await silent.runs.start('discord:1');
    await silent.launcher.idle();
    expect((await stores.batches.get(a.id))?.error).toMatch(/exited without recording a result/);
    const hang = setup('hang');
    const b = await hang.runs.start('discord:1');
    await new Promise((r) => setTimeout(r, 300));
    await hang.launcher.close();
    expect((await stores.batches.get(b.id))?.error).toMatch(/killed by SIGTERM/);
  });

  it('follows the process group, not the wrapper: killing the wrapper (-9) leaves the run going, and its own result stands', async () => {
    const { launcher, runs } = setup('slow');
    const run = await runs.start('discord:1');
    const pgid = launcher.processGroup(run.id)!;
    // Wait until the program (tsx's child, in the same group) has written the run, then kill only the wrapper.
    await waitFor(() => stores.batches.get(run.id), (r) => r?.progress.phase === 'working', 30_000);
    process.kill(pgid, 'SIGKILL');
    await launcher.idle();
    expect(await stores.batches.get(run.id)).toMatchObject({ status: 'succeeded', stats: { requests: 3 } });
    // One record for the run, under the id the admin API gave it (BATCH_RUN_ID).
    expect((await stores.batches.list({ limit: 100 })).items.filter((r) => r.jobName === run.jobName).map((r) => r.id)).toEqual([run.id]);
  });

  it('marks the run failed when the whole process group is killed (-9)', async () => {
    const { launcher, runs } = setup('slow');
    const run = await runs.start('discord:1');
    const pgid = launcher.processGroup(run.id)!;
    await waitFor(() => stores.batches.get(run.id), (r) => r?.progress.phase === 'working', 30_000);
    process.kill(-pgid, 'SIGKILL');
    await launcher.idle();
    expect(await stores.batches.get(run.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed by SIGKILL/) });
  });

  it('refuses while a run holds the batch lock', async () => {
    const { runs } = setup('finish');
    const lock = await stores.batches.acquireLock('run-scheduled', 60_000);
    await expect(runs.start('discord:1')).rejects.toMatchObject({ status: 409, code: 'batch_running' });
    await stores.batches.releaseLock('run-scheduled', lock!.fence);
  });
});
