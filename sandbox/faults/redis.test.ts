import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BATCH_EXIT_MS, Case, CLEAN } from './harness/case';
import { startWorld, type World } from './harness/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.close());

const PHASES = ['lock', 'metrics', 'members', 'award', 'finish', 'unlock'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis kill -9 and restart (AOF) under running batches', () => {
  it('runs cut off at each phase end by themselves (never hang); after the restart nothing is lost or doubled', async () => {
    const cases = await Promise.all(PHASES.map((p) => Case.open(world, `redis-kill-${p}`)));
    try {
      const runs = cases.map((c, i) => c.batch({ pauseAt: PHASES[i] }));
      await Promise.all(runs.map((p) => p.paused()));
      await world.redis.down();
      cases.forEach((c, i) => c.fault(runs[i]!));
      for (const p of runs) p.signal('SIGCONT');
      // Down for longer than a command may wait (10 s), as an operator's restart would be.
      await sleep(16_000);
      await world.redis.up();
      const exits = await Promise.all(runs.map((p) => p.exit(BATCH_EXIT_MS)));
      for (const [i, e] of exits.entries()) {
        // Failed (Redis lost mid-run, exit 1) or done (it needed Redis no more): never killed, never a hang.
        expect([0, 1, 4], `${PHASES[i]}: ${runs[i]!.tail()}`).toContain(e.code);
        if (e.code === 1) expect(runs[i]!.tail()).toMatch(/Redis|unreachable|Connection|timed out/i);
      }
      for (const c of cases) await c.settle();
      for (const c of cases) expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      for (const c of cases) c.cleanup();
    }
  });

  it('Redis unreachable for longer than the wall-time cap: the run exits non-zero by the cap, then the next run completes', async () => {
    const c = await Case.open(world, 'redis-down-past-wall-cap');
    try {
      const run = c.batch({ pauseAt: 'members', env: { BATCH_MAX_WALL_SECONDS: '8' } });
      await run.paused();
      await world.redis.down();
      c.fault(run);
      run.signal('SIGCONT');
      // The cap (8 s) plus the bounded wait to record the end (at least 5 s) plus a command timeout (10 s).
      const e = await run.exit(60_000);
      expect(e.code, run.tail()).toBe(1);
      expect(e.at - run.startedAt).toBeLessThan(60_000);
      expect(run.tail()).toMatch(/Redis became unreachable|could not record the end/);
      await sleep(2_000);
      await world.redis.up();
      await c.settle();
      const dead = await c.stores.batches.findByJobName(run.name);
      expect(dead).toMatchObject({ status: 'failed' });
      expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      c.cleanup();
    }
  });
});
