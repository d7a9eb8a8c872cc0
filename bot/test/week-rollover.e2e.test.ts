import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, createStores, createXClientFactory, periodBounds, periodOf, type RedisClient, type Stores } from '@engagement-tracker/core';
import { freePort, startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { runBatch } from '@engagement-tracker/batch-job/engine';
import { PERMISSIONS, startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { buildScenario, memberDiscordId, seedStores, startXDouble, type Scenario, type XDouble } from '@engagement-tracker/sandbox/x';
import { loadBotConfig } from '../src/config';
import { startBot, type Bot } from '../src/setup';
import { runScript, startServiceProcess, type BotProcess } from './support/bot-process';

/**
 * The ISO week rolling over (Sunday 23:59 -> Monday 00:00 UTC) end to end, on a clock the test moves: the bot
 * (role sync, season loop, slash commands) and the batch engine run in this process on the scenario's clock,
 * against the Discord and X doubles and a real Redis; the admin API is its own process reading past periods.
 * The clock runs around the last Monday 00:00 UTC at least two hours behind the wall clock, so every board
 * it writes is a recent past period for the admin API too.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const GUILD = '900000000000000001';
const R = { weekly: '930000000000000003', tracker: '930000000000000006' } as const;

function lastRollover(): number {
  const now = Date.now();
  const monday = periodBounds('week', periodOf('week', now))!.start;
  return now - monday > 2 * HOUR ? monday : monday - 7 * 24 * HOUR;
}

const ROLL = lastRollover();
const OLD_WEEK = periodOf('week', ROLL - 1);
const NEW_WEEK = periodOf('week', ROLL);
const m = [0, 1, 2].map(memberDiscordId);

let redis: TestRedisServer;
let discord: DiscordDouble;
let x: XDouble;
let sc: Scenario;
let client: RedisClient;
let stores: Stores;
let bot: Bot;
let api: BotProcess | undefined;
let apiUrl: string;
const prefix = `wr${randomBytes(4).toString('hex')}`;
const encryptionKey = randomBytes(32).toString('hex');

beforeAll(async () => {
  // Three tracked posts by outsiders, made on Sunday evening; engagement scheduled by hand below.
  sc = buildScenario({ seed: 11, members: 3, tweets: 3, hours: 4, end: ROLL - 20 * MIN, ownPostShare: 0, memberRates: { like: 0, retweet: 0, reply: 0, quote: 0 }, outsiderRates: { like: 0, retweet: 0, reply: 0, quote: 0 }, noiseLikesPerDay: 0, noisePostsPerDay: 0, quietAfterEnd: true });
  const posts = sc.tracked.map((p) => p.tweet.id);
  const engage = (member: number, at: number, kind: 'like' | 'retweet', tweets: string[]) => {
    for (const tweetId of tweets) sc.schedule({ at, userId: sc.members[member]!.id, tweetId, kind, member: true });
  };
  // Last week (Sunday 23:48): member 0 leads, member 1 trails. This week (Monday 00:05): member 1 leads, member 2 trails.
  engage(0, ROLL - 12 * MIN, 'like', posts);
  engage(0, ROLL - 12 * MIN, 'retweet', posts);
  engage(1, ROLL - 12 * MIN, 'like', posts.slice(0, 1));
  engage(1, ROLL + 5 * MIN, 'like', posts.slice(1));
  engage(1, ROLL + 5 * MIN, 'retweet', posts);
  engage(2, ROLL + 5 * MIN, 'like', posts.slice(0, 1));
  // A one-hour season from 00:10 to 01:10: member 2 retweets inside it, and again just before it ends.
  engage(2, ROLL + 15 * MIN, 'retweet', posts.slice(0, 1));
  engage(2, ROLL + 69 * MIN, 'retweet', posts.slice(1, 2));
  sc.seal();
  sc.advanceTo(ROLL - 30 * MIN);

  redis = await startRedisServer({ aof: false });
  x = await startXDouble({ state: sc.state });
  discord = await startDiscordDouble({
    guilds: [
      {
        id: GUILD,
        name: 'Rollover',
        roles: [
          { id: R.weekly, name: 'Weekly star' },
          { id: R.tracker, name: 'Tracker', permissions: PERMISSIONS.MANAGE_ROLES },
        ],
        botRoles: [R.tracker],
        channels: [{ name: 'general' }, { name: 'engagement-tracker' }],
        members: m.map((id, i) => ({ id, username: `member${i}` })),
      },
    ],
  });
  client = createRedis(redis.url);
  stores = createStores(client, { prefix, encryptionKey, now: () => sc.now() });
  await seedStores(stores, sc);
  const env: Record<string, string> = {
    SANDBOX: 'true',
    LOG_LEVEL: 'warn',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    ...discord.env(),
    DISCORD_GUILD_ID: GUILD,
    TWITTER_API_BASE_URL: x.url,
    TWITTER_BEARER_TOKEN: 'sandbox-bearer-token',
    TWITTER_CLIENT_ID: 'sandbox-client',
    HEALTH_PORT: String(await freePort()),
    ROLE_SYNC_INTERVAL_MS: '1000',
    SEASON_CHECK_INTERVAL_MS: '500',
  };
  const reg = await runScript('bot/src/deploy-commands.ts', env, 120_000);
  if (reg.code !== 0) throw new Error(`register-commands failed:\n${reg.output}`);
  bot = await startBot(loadBotConfig(env), createLogger('bot', 'silent'), { now: () => sc.now() });
  await discord.waitForBot(60_000);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = await startServiceProcess('admin-api/src/server.ts', { ...env, ADMIN_API_PORT: String(port), PUBLIC_BASE_URL: apiUrl, ADMIN_WEB_DIST: '/nonexistent' }, apiUrl, { readyTimeoutMs: 120_000 });
}, 300_000);

afterAll(async () => {
  await api?.stop('SIGKILL');
  await bot?.stop();
  client?.disconnect();
  await x?.close();
  await discord?.close();
  await redis?.stop();
});

/**
 * One real batch run (the engine the CronJob runs) at the scenario's current time, against the X double.
 * Nobody waits (BATCH_LIKES_DUE_HORIZON as long as the window): every member is looked up and read on every
 * run, so each run awards what happened before it, on either side of midnight.
 */
async function batchRun(onPhase?: (phase: string) => void) {
  await seedStores(stores, sc);
  const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client', bearerToken: 'sandbox-bearer-token', timeoutMs: 10_000 });
  const out = await runBatch({ stores, x: factory, logger: createLogger('batch-job', 'silent'), now: () => sc.now(), sleep: async () => {} }, { trigger: 'cli', backoffMs: 1, likesDueHorizonMs: 24 * HOUR, ...(onPhase ? { onPhase } : {}) });
  expect(out.status).toBe('succeeded');
  return out;
}

const has = (member: string) => discord.members.roles(member).includes(R.weekly);
const weekBoard = async (week: string) => (await stores.leaderboard.top({ board: 'weekly', period: week, offset: 0, limit: 10 })).entries.map((e) => e.discordId);
const sum = async (week: string) => (await stores.leaderboard.top({ board: 'weekly', period: week, offset: 0, limit: 10 })).entries.reduce((n, e) => n + e.points, 0);
const leaderboardTitle = async (as: string) => {
  const reply = await (await discord.interact({ as, command: 'leaderboard', options: { window: 'weekly' } })).reply(60_000);
  return reply.embeds[0] as { title: string; description?: string };
};

async function adminBoard(cookie: string, filter: Record<string, unknown>) {
  const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
  const res = await fetch(`${apiUrl}/api/leaderboard?filter=${enc(filter)}&range=${enc([0, 9])}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as Array<{ id: string; points: number }>).map((e) => e.id);
}

describe('the ISO week rolling over, Sunday 23:59 -> Monday 00:00 UTC', () => {
  it('starts an empty week board, keeps last week browsable, and moves the week top-1 role to the new leader, audited', async () => {
    const season = await stores.seasons.create({ name: 'Sunday sprint', startsAt: ROLL - 3 * HOUR, endsAt: ROLL, rewardTop: 3 }, 'admin:test');
    const rule = await stores.roleRewards.create({ name: 'Weekly star', roleId: R.weekly, condition: { type: 'rank', board: 'week', top: 1 }, removeWhenLost: true }, 'admin:test');

    // Sunday 23:55: a batch run awards last week's engagement; member 0 leads the week and gets the role.
    sc.advanceTo(ROLL - 5 * MIN);
    const sunday = await batchRun();
    // Everything engaged by then, once (a member's engagement with a post they submitted earns nothing).
    const sundayTruth = sc.truth().size;
    expect(sunday.stats.awarded).toBe(sundayTruth);
    expect(await weekBoard(OLD_WEEK)).toEqual([m[0], m[1]]);
    await expect.poll(() => has(m[0]!), { timeout: 60_000 }).toBe(true);
    expect((await leaderboardTitle(m[1]!)).title).toContain(`(${OLD_WEEK})`);

    // Monday 00:00:30: the new week's board is empty, so nobody is its top 1 yet: the bot takes the role back.
    sc.advanceTo(ROLL + 30_000);
    expect(await weekBoard(NEW_WEEK)).toEqual([]);
    await expect.poll(() => has(m[0]!), { timeout: 60_000 }).toBe(false);
    const empty = await leaderboardTitle(m[1]!);
    expect(empty.title).toContain(`(${NEW_WEEK})`);
    expect(empty.description ?? '').not.toContain(`<@${m[0]}>`);
    // The season that ended at the rollover is announced with its final board (last week's awards only).
    const ended = await discord.waitForMessage('engagement-tracker', (msg) => msg.content.includes('**Sunday sprint** has ended'), 60_000);
    expect(ended.content).toMatch(new RegExp(`1\\. <@${m[0]}> — \\d+ pts\\n2\\. <@${m[1]}>`));

    // Monday 00:10: the next run awards this week's engagement into the new week only; member 1 gets the role.
    sc.advanceTo(ROLL + 10 * MIN);
    const monday = await batchRun();
    // (A like the planner leaves for a later read may come later: at most what happened, never a Sunday award again.)
    expect(monday.stats.awarded).toBeGreaterThan(0);
    expect(monday.stats.awarded).toBeLessThanOrEqual(sc.truth().size - sundayTruth);
    expect(await weekBoard(NEW_WEEK)).toEqual([m[1], m[2]]);
    expect(await sum(NEW_WEEK)).toBe(monday.stats.pointsAwarded);
    expect(await weekBoard(OLD_WEEK)).toEqual([m[0], m[1]]);
    expect(await sum(OLD_WEEK)).toBe(sunday.stats.pointsAwarded);
    expect((await stores.leaderboard.top({ board: 'season', season: season.id, offset: 0, limit: 10 })).entries.map((e) => e.discordId)).toEqual([m[0], m[1]]);
    await expect.poll(() => has(m[1]!), { timeout: 60_000 }).toBe(true);
    expect(has(m[0]!)).toBe(false);
    expect(await stores.roleRewards.holders(rule.id)).toEqual([m[1]]);
    expect((await leaderboardTitle(m[0]!)).description).toMatch(new RegExp(`^\\*\\*1\\.\\*\\* <@${m[1]}>`));

    // Discord saw exactly: add to last week's leader, removal at the rollover, add to the new leader; each audited by the bot.
    expect(discord.roleChanges.filter((c) => c.roleId === R.weekly && c.changed).map((c) => `${c.action} ${c.userId}`)).toEqual([`add ${m[0]}`, `remove ${m[0]}`, `add ${m[1]}`]);
    const audit = (await stores.audit.list({ limit: 100 })).items.filter((e) => e.action.startsWith('role-reward.') && e.actor === 'bot');
    expect(audit.map((e) => `${e.action} ${e.target}`).reverse()).toEqual([`role-reward.grant member:${m[0]}`, `role-reward.remove member:${m[0]}`, `role-reward.grant member:${m[1]}`]);

    // The admin API: last week is a past period to browse, this week the current one.
    const login = await fetch(`${apiUrl}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'core' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(await adminBoard(cookie, { board: 'weekly', period: OLD_WEEK })).toEqual([m[0], m[1]]);
    expect(await adminBoard(cookie, { board: 'weekly', period: NEW_WEEK })).toEqual([m[1], m[2]]);
    const periods = (await (await fetch(`${apiUrl}/api/leaderboard/periods?board=weekly`, { headers: { cookie } })).json()) as string[];
    expect(periods).toEqual(expect.arrayContaining([OLD_WEEK, NEW_WEEK]));
    expect(periods.indexOf(NEW_WEEK)).toBeLessThan(periods.indexOf(OLD_WEEK));
    // And in Discord: /leaderboard offers last week by autocomplete and shows its board, ended.
    const offered = await discord.interact({ as: m[0]!, autocomplete: 'leaderboard', focused: 'period', options: { window: 'weekly', period: '' } });
    expect(offered.choices.slice(0, 2).map((c) => c.value)).toEqual([NEW_WEEK, OLD_WEEK]);
    const lastWeek = (await (await discord.interact({ as: m[0]!, command: 'leaderboard', options: { period: OLD_WEEK } })).reply(60_000)).embeds[0] as { title: string; description: string };
    expect(lastWeek.title).toBe(`Weekly leaderboard (${OLD_WEEK}, ended)`);
    expect(lastWeek.description).toMatch(new RegExp(`^\\*\\*1\\.\\*\\* <@${m[0]}> — \\d+ pts\\n\\*\\*2\\.\\*\\* <@${m[1]}>`));
  }, 300_000);

  it('a season ending mid-run: awards the run makes after the end count on the week, not on the ended season, whose final board is announced', async () => {
    const [post0, post1] = sc.tracked.map((p) => p.tweet.id);
    const season = await stores.seasons.create({ name: 'Early hour', startsAt: ROLL + 10 * MIN, endsAt: ROLL + 70 * MIN }, 'admin:test');
    const seasonBoard = async () => (await stores.leaderboard.top({ board: 'season', season: season.id, offset: 0, limit: 10 })).entries;
    const retweet = async (tweetId: string) => (await stores.ledger.logsForTweet(tweetId)).find((l) => l.discordId === m[2] && l.kind === 'retweet');

    // 00:16: inside the season, member 2's first retweet counts on it.
    sc.advanceTo(ROLL + 16 * MIN);
    await batchRun();
    expect(await retweet(post0!)).toBeDefined();
    const during = await seasonBoard();
    expect(during.map((e) => e.discordId)).toEqual([m[2]]);

    // 01:09:50: a run starts while the season runs and awards at 01:10:05, after its end.
    sc.advanceTo(ROLL + 70 * MIN - 10_000);
    const weekBefore = (await stores.leaderboard.scores([m[2]!], { board: 'weekly', period: NEW_WEEK }))[0]!;
    const crossing = await batchRun((phase) => {
      if (phase === 'award') sc.advanceTo(ROLL + 70 * MIN + 5_000);
    });
    const late = await retweet(post1!);
    expect(late, 'the retweet made at 01:09 was awarded').toBeDefined();
    expect(late!.createdAt).toBeGreaterThanOrEqual(ROLL + 70 * MIN);
    expect(crossing.stats.pointsAwarded).toBeGreaterThan(0);
    // The week board has it, the ended season's board is frozen as it was.
    expect((await stores.leaderboard.scores([m[2]!], { board: 'weekly', period: NEW_WEEK }))[0]).toBe(weekBefore + crossing.stats.pointsAwarded!);
    expect(await seasonBoard()).toEqual(during);
    // The bot announces the final board: member 2 alone, with the points of the run inside the season.
    const ended = await discord.waitForMessage('engagement-tracker', (msg) => msg.content.includes('**Early hour** has ended'), 60_000);
    expect(ended.content.split('\n').slice(1)).toEqual([`1. <@${m[2]}> — ${during[0]!.points} pts`]);
    expect((await stores.ledger.checkConsistency()).drift).toEqual([]);
  }, 300_000);
});
