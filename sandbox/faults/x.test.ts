import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { XDouble } from '../src/x';
import { BATCH_EXIT_MS, Case, CLEAN } from './harness/case';
import { startWorld, type World } from './harness/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => world?.close());

interface XCase {
  name: string;
  /** Exit codes the faulted run may end with (0 succeeded, 1 failed, 4 partial). */
  codes: number[];
  inject(x: XDouble, w: World): void;
}

// One case at a time: the X double's faults are shared by every case.
const CASES: XCase[] = [
  // A storm of 429s X's headers did not announce on members' own buckets: those members are skipped (read again by a later run), the run ends partial.
  { name: 'x-429-storm', codes: [4], inject: (x) => x.fail({ endpoint: 'liked_tweets', status: 429, count: 30 }) },
  // 503s on every endpoint, past the retries: partial or failed, never a hang or a lost award.
  { name: 'x-5xx-storm', codes: [1, 4], inject: (x) => x.fail({ status: 503, count: 60 }) },
  // Reads that outlast TWITTER_TIMEOUT_MS (3 s here): retried.
  { name: 'x-timeouts', codes: [0, 4], inject: (x) => x.fail({ endpoint: 'liked_tweets', delayMs: 4_000, count: 4 }) },
  // X refuses one member's read with a 400: that member waits for the next run (partial), the others are read.
  { name: 'x-400-one-read', codes: [4], inject: (x) => x.fail({ endpoint: 'liked_tweets', status: 400, count: 1 }) },
  // Access tokens expired on X and the token endpoint down: refreshes fail, no member is unlinked for it.
  {
    name: 'x-token-endpoint-down',
    codes: [0, 1, 4],
    inject: (x, w) => {
      for (const m of w.sc.members.slice(0, 5)) x.state.expireAccessTokens(m.id);
      x.fail({ endpoint: 'oauth', status: 503, count: 200 });
    },
  },
];

describe('X misbehaving under a batch run', () => {
  for (const xc of CASES) {
    it(`${xc.name}: the run ends by itself, records no false failure; once X is healthy the next runs award everything once`, async () => {
      const c = await Case.open(world, xc.name);
      try {
        xc.inject(world.x, world);
        const run = c.batch();
        c.fault(run);
        const e = await run.exit(BATCH_EXIT_MS);
        expect(xc.codes, run.tail()).toContain(e.code);
        const rec = await c.stores.batches.findByJobName(run.name);
        expect(rec?.status).toBe(({ 0: 'succeeded', 1: 'failed', 4: 'partial' } as Record<number, string>)[e.code!]);
        world.x.clearFaults();
        await c.settle();
        // Nobody had to reconnect because X was down for a while.
        expect((await c.stores.connections.listLinked()).filter((m) => m.status !== 'linked')).toEqual([]);
        expect(await c.verdict(inject('faultsResults'))).toMatchObject(CLEAN);
      } finally {
        world.x.clearFaults();
        c.cleanup();
      }
    });
  }
});
