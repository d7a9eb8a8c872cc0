import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Case, CLEAN } from './harness/case';
import { ENTRY, Proc } from './harness/proc';
import { startWorld, type World } from './harness/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  world.env.TWITTER_TIMEOUT_MS = '30000';
}, 120_000);
afterAll(async () => world?.close());

/** Kubernetes' default termination grace period. */
const GRACE_MS = 30_000;

describe('SIGTERM mid-work', () => {
  it('batch run: stops within the grace period, recorded partial (exit 4), the next run completes', async () => {
    const c = await Case.open(world, 'sigterm-batch-run');
    try {
      // Stopped with X still to read (the metrics lookup comes next).
      const run = c.batch({ pauseAt: 'metrics' });
      await run.paused();
      c.fault(run);
      run.signal('SIGTERM');
      run.signal('SIGCONT');
      const e = await run.exit(GRACE_MS);
      expect(e.code, run.tail()).toBe(4);
      expect(await c.stores.batches.findByJobName(run.name)).toMatchObject({ status: 'partial', error: expect.stringMatching(/asked to stop/) });
      await c.settle();
      expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      c.cleanup();
    }
  });

  it('batch scheduler: stops within the grace period, its run ends partial, the next run completes', async () => {
    const c = await Case.open(world, 'sigterm-scheduler');
    try {
      // X holds the run's first answer, so the scheduler is mid-run when the signal comes.
      world.x.fail({ endpoint: 'tweets_lookup', delayMs: 8_000, count: 1 });
      const scheduler = new Proc('batch-schedule', ENTRY.batch, ['schedule'], c.env({ BATCH_SCHEDULE: '*/2 * * * * *', HEALTH_PORT: '0' }));
      c.procs.push(scheduler);
      const deadline = Date.now() + 120_000;
      while (!(await c.stores.batches.lockHolder()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const holder = await c.stores.batches.lockHolder();
      expect(holder).not.toBeNull();
      c.fault(holder!.runId);
      scheduler.signal('SIGTERM');
      const e = await scheduler.exit(GRACE_MS);
      expect(e.code, scheduler.tail()).toBe(0);
      expect((await c.stores.batches.get(holder!.runId))?.status).toMatch(/partial|succeeded/);
      world.x.clearFaults();
      await c.settle();
      expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      world.x.clearFaults();
      c.cleanup();
    }
  });
});
