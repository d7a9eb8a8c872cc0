import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiProcess } from './harness/api';
import { BATCH_EXIT_MS, Case, CLEAN } from './harness/case';
import { startWorld, type World } from './harness/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  // X answers slowly in these cases (a held response keeps a run busy): wait for it.
  world.env.TWITTER_TIMEOUT_MS = '30000';
}, 120_000);
afterAll(async () => world?.close());

/** Poll until `probe` is true (the processes act on their own time). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = BATCH_EXIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('manual runs through the admin API', () => {
  it('a start while a scheduled run holds the lock, two starts at once, the API restarted mid-run: one run at a time, no false failure, nothing lost', async () => {
    const c = await Case.open(world, 'api-manual-runs');
    const api = await ApiProcess.start(c);
    const idle = () => until('every run to end and the lock to be free', async () => !(await c.stores.batches.lockHolder()) && !(await c.stores.batches.list({ filter: { status: 'running' } })).total);
    try {
      await api.signIn();

      // A scheduled run holds the lock (X holds its first answer 25 s, alive and beating meanwhile): a
      // manual start is refused, and a manual program started anyway (a Job racing the check) is a skip.
      world.x.fail({ endpoint: 'tweets_lookup', delayMs: 25_000, count: 1 });
      const scheduled = c.batch();
      await until('the scheduled run to hold the lock', async () => (await c.stores.batches.lockHolder()) !== null);
      c.fault();
      const refused = await api.startRun();
      expect(refused).toMatchObject({ status: 409, body: { error: 'batch_running' } });
      const racer = c.batch({ trigger: 'manual' });
      expect((await racer.exit(BATCH_EXIT_MS)).code, racer.tail()).toBe(0);
      expect(racer.summary()).toMatchObject({ status: 'skipped', exitCode: 0 });
      expect((await scheduled.exit(BATCH_EXIT_MS)).code, scheduled.tail()).toBe(0);
      expect(await c.stores.batches.findByJobName(racer.name)).toMatchObject({ status: 'skipped' });

      // Two manual starts at once (a double click, two admins): exactly one run.
      c.fault();
      const both = await Promise.all([api.startRun(), api.startRun()]);
      expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
      await idle();

      // The admin API restarted (SIGTERM) while its manual run works: the API stops within its
      // grace, the run ends by itself and is recorded, the API comes back healthy.
      world.x.fail({ endpoint: 'tweets_lookup', delayMs: 10_000, count: 1 });
      // The start guard of the previous manual run is let go once its process has exited (just after
      // its record ended): until then a start is refused as 'batch_starting'.
      let manual = await api.startRun();
      for (let i = 0; i < 60 && manual.status === 409 && manual.body.error === 'batch_starting'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        manual = await api.startRun();
      }
      expect(manual.status, JSON.stringify(manual.body)).toBe(202);
      c.fault(manual.body.jobName!, manual.body.id!);
      await until('the manual run to hold the lock', async () => (await c.stores.batches.lockHolder()) !== null);
      const old = api.proc;
      old.signal('SIGTERM');
      expect((await old.exit(30_000)).code, old.tail()).toBe(0);
      await api.restart();
      await idle();

      await c.settle();
      expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      world.x.clearFaults();
      c.cleanup();
    }
  });
});
