import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, utcDay, type RedisClient } from '../src';
import { scanKeys, startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, seedCommunity, TWEET } from './helpers';

const ROOT = join(import.meta.dirname, '..', '..');

function cli(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'core', 'src', 'cli', file), ...args], { env: { PATH: process.env.PATH, ...env }, cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolve({ code, out: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : { text: last } });
    });
  });
}

/** Every key under a pattern with its type, value (DUMP) and whether it expires. */
async function snapshot(redis: RedisClient, pattern: string, strip: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of await scanKeys(redis, pattern)) {
    const [dump, ttl] = await Promise.all([redis.dumpBuffer(k), redis.pttl(k)]);
    out.set(k.slice(strip.length), `${dump!.toString('hex')}|${ttl > 0 ? 'expires' : 'persistent'}`);
  }
  return out;
}

/** Move a key to a name in another slot (as a cluster needs), keeping its value and expiry. */
async function moveKey(redis: RedisClient, from: string, to: string): Promise<void> {
  const [dump, ttl] = await Promise.all([redis.dumpBuffer(from), redis.pttl(from)]);
  await redis.restore(to, ttl > 0 ? ttl : 0, dump!);
  await redis.del(from);
}

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

describe('npm run migrate:keys', () => {
  it('moves an old-layout deployment to the hash-tagged keys, dry run first, idempotent; ledger:check is clean before and after', async () => {
    // On the real clock: the migration also sets the period boards' expiries from the time it runs.
    const { stores, redis, clock } = makeStores(server, Date.now());
    const { keys } = stores;
    const env = { REDIS_URL: server.url, REDIS_KEY_PREFIX: keys.prefix };
    // A populated deployment: links, tokens, awards over two weeks, an adjustment, a revoked tweet,
    // rules, a batch run, the audit stream, and keys with expiries (rate limits, a session, the lock).
    await seedCommunity(stores, 4);
    await stores.rules.set(2, 'like', 7, 'admin:1');
    await stores.members.setTier('m3', 2, 'admin:1');
    await stores.ledger.award({ batchId: 'run-1', engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }, { tweetId: TWEET, discordId: 'm3', kind: 'like' }] });
    clock.now += 7 * 86_400_000;
    await stores.tweets.submit({ tweetId: '77', url: 'u', authorId: 'x2', authorHandle: 'user2', submitterId: 'm2', category: 'c', createdAt: 1 });
    await stores.ledger.award({ batchId: 'run-2', engagements: [{ tweetId: '77', discordId: 'm3', kind: 'reply' }, { tweetId: '77', discordId: 'm4', kind: 'quote' }] });
    await stores.ledger.adjust({ discordId: 'm4', delta: -2, reason: 'correction', actor: 'admin:1' });
    await stores.tweets.remove('77', { revoke: true, actor: 'admin:1' });
    await stores.batches.create({ trigger: 'manual' });
    await stores.batches.acquireLock('run-3', 600_000);
    await stores.rateLimit('submit', 'm2', 10, 86_400_000);
    await redis.set(keys.session('abc'), '{}', 'PX', 3_600_000);
    await redis.sadd(keys.wmPending(), `${TWEET}|m4|like`);
    const before = await snapshot(redis, `${keys.tag}:*`, keys.tag);
    expect(before.size).toBeGreaterThan(40);
    const firstCheck = await cli('check-ledger.ts', [], env);
    expect(firstCheck).toMatchObject({ code: 0, out: { ok: true, layout: 'hash-tag', membersChecked: 4, drift: [] } });
    expect(firstCheck.out.logsChecked).toBeGreaterThan(4);

    // Make it a deployment from before the hash tag: the same data under `prefix:...`.
    for (const k of await scanKeys(redis, `${keys.tag}:*`)) await moveKey(redis, k, keys.prefix + k.slice(keys.tag.length));
    if (server.mode === 'single') {
      // Releases before the hash tag ran on one server (their scripts could not run on a cluster):
      // there the check reads the old layout and says to migrate.
      const oldCheck = await cli('check-ledger.ts', [], env);
      expect(oldCheck).toMatchObject({ code: 0, out: { ok: true, layout: 'before-hash-tag', membersChecked: 4, logsChecked: firstCheck.out.logsChecked, drift: [] } });
    }

    // Default: a dry run that counts and changes nothing.
    const dry = await cli('migrate-keys.ts', [], env);
    expect(dry).toMatchObject({ code: 0, out: { ok: true, dryRun: true, found: before.size, moved: 0, conflicts: 0 } });
    expect((dry.out.families as Record<string, number>).member).toBe(4);
    expect(await scanKeys(redis, `${keys.tag}:*`)).toEqual([]);

    const applied = await cli('migrate-keys.ts', ['--apply'], env);
    expect(applied).toMatchObject({ code: 0, out: { ok: true, dryRun: false, found: before.size, moved: before.size, conflicts: 0 } });
    // Then the period boards: the week and day boards of both weeks and their month boards, all kept.
    const periodBoards = 4 + new Set([periodOf('month', clock.now - 7 * 86_400_000), periodOf('month', clock.now)]).size;
    expect(applied.out.periodBoards).toMatchObject({ dryRun: false, boards: periodBoards, removed: 0, unknown: 0, weeksIndexDropped: 0, weeksIndexAdded: 0 });
    // And the keys with no bound of their own: nothing here is old enough to go.
    expect(applied.out.bounded).toEqual({ dryRun: false, runsRemoved: 0, statsDaysRemoved: 0, changesTrimmed: 0 });
    expect(await snapshot(redis, `${keys.tag}:*`, keys.tag)).toEqual(before);
    expect(await scanKeys(redis, `${keys.prefix}:*`)).toEqual([]);

    const again = await cli('migrate-keys.ts', ['--apply'], env);
    expect(again).toMatchObject({ code: 0, out: { found: 0, moved: 0, periodBoards: { boards: periodBoards, expirySet: 0, removed: 0 } } });
    const newCheck = await cli('check-ledger.ts', [], env);
    expect(newCheck).toMatchObject({ code: 0, out: { ok: true, layout: 'hash-tag', membersChecked: 4, logsChecked: firstCheck.out.logsChecked, drift: [] } });
    // The product works on the moved data.
    expect((await stores.members.get('m3'))!.totalPoints).toBe((await stores.leaderboard.rank('m3', { board: 'alltime' }))!.points);
    expect(await stores.batches.acquireLock('run-4', 1000)).toBeNull(); // the lock moved with its expiry
  });

  it('never overwrites a new key that holds other data, and finishes an interrupted move', async () => {
    const { stores, redis } = makeStores(server);
    const { keys } = stores;
    const env = { REDIS_URL: server.url, REDIS_KEY_PREFIX: keys.prefix };
    const legacy = (k: string) => keys.prefix + k.slice(keys.tag.length);
    await redis.set(legacy(keys.logSeq()), '5');
    await redis.set(keys.logSeq(), '9'); // written by the new release before the migration ran
    await redis.set(legacy(keys.tweetId('1')), 'm1');
    await redis.set(keys.tweetId('1'), 'm1'); // copied by an interrupted run, old key not yet removed
    const res = await cli('migrate-keys.ts', ['--apply'], env);
    expect(res).toMatchObject({ code: 2, out: { ok: false, found: 2, moved: 1, conflicts: 1, conflictKeys: [legacy(keys.logSeq())] } });
    expect(await redis.get(keys.logSeq())).toBe('9');
    expect(await redis.get(legacy(keys.logSeq()))).toBe('5');
    expect(await redis.exists(legacy(keys.tweetId('1')))).toBe(0);
    expect(await cli('migrate-keys.ts', ['--bogus'], env)).toMatchObject({ code: 2, out: { text: expect.stringMatching(/usage/) } });
  });

  it('bounds the keys with no bound of their own as the deployment stands: a dry run counts, --apply removes', async () => {
    const { stores, redis, clock } = makeStores(server, Date.now() - 200 * 86_400_000);
    const env = { REDIS_URL: server.url, REDIS_KEY_PREFIX: stores.keys.prefix, STATS_KEEP_DAYS: '60' };
    const old = await stores.batches.create({ trigger: 'schedule', status: 'succeeded' });
    clock.now = Date.now();
    const recent = await stores.batches.create({ trigger: 'schedule', status: 'succeeded' });
    await redis.hset(stores.keys.pointsDaily(), utcDay(Date.now() - 100 * 86_400_000), 3, utcDay(Date.now()), 4);
    expect((await cli('migrate-keys.ts', [], env)).out.bounded).toEqual({ dryRun: true, runsRemoved: 1, statsDaysRemoved: 1, changesTrimmed: 0 });
    expect(await redis.zcard(stores.keys.batches())).toBe(2);
    expect((await cli('migrate-keys.ts', ['--apply'], env)).out.bounded).toEqual({ dryRun: false, runsRemoved: 1, statsDaysRemoved: 1, changesTrimmed: 0 });
    expect(await redis.zrange(stores.keys.batches(), 0, '-1')).toEqual([recent.id]);
    expect(await redis.exists(stores.keys.batch(old.id))).toBe(0);
    expect(await redis.hkeys(stores.keys.pointsDaily())).toEqual([utcDay(Date.now())]);
  });
});
