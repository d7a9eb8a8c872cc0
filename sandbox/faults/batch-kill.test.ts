import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Case, CLEAN } from './harness/case';
import { startWorld, type World } from './harness/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.close());

/** Where a run is when it is killed: before or after each step that writes. */
const PHASES = ['lock', 'metrics', 'members', 'award', 'awarded', 'finish', 'unlock'] as const;

describe('SIGKILL of the batch process, then the next scheduled run', () => {
  it.concurrent.each(PHASES)('killed at %s: nothing lost or doubled, the dead run is failed with the reason, no run left running', async (phase) => {
    const c = await Case.open(world, `sigkill-${phase}`);
    try {
      const victim = c.batch({ pauseAt: phase });
      await victim.paused();
      c.fault(victim);
      victim.signal('SIGKILL');
      await victim.exit(10_000);
      const next = await c.settle();
      const dead = await c.stores.batches.findByJobName(victim.name);
      if (phase === 'finish' || phase === 'unlock') {
        // It recorded its end before it was killed: the record stands; only the lock was left behind.
        expect(dead?.status).toBe('succeeded');
      } else {
        expect(dead).toMatchObject({ status: 'failed', error: expect.stringMatching(/No heartbeat for \d+ s/) });
        // Marked failed by the next run that did the work, not by a lease minutes later.
        const first = next.find((p) => p.summary()?.status !== 'skipped')!;
        expect(dead!.endedAt).toBeLessThanOrEqual(first.exited ? (await first.exited).at : Date.now());
      }
      expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
    } finally {
      c.cleanup();
    }
  });
});
