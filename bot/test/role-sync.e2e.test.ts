import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, createStores, type RoleRewardRule, type Stores } from '@engagement-tracker/core';
import { freePort } from '@engagement-tracker/core/testing';
import { PERMISSIONS } from '@engagement-tracker/sandbox/discord';
import { buildScenario, memberDiscordId, seedStores, startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { runScript, startBotProcess, type BotProcess } from './support/bot-process';
import { IDS, startStack, type Stack } from './support/stack';

// Roles in the order of the server's role list (position 1 at the bottom); the bot's role sits above the rewards.
const R = {
  booster: '930000000000000001', // managed by an integration
  regular: '930000000000000002', // points rule
  weekly: '930000000000000003', // week top 1
  champ: '930000000000000004', // season top 1
  humanOnly: '930000000000000005', // no rule: the bot never touches it
  tracker: '930000000000000006', // the bot's role (Manage Roles)
  legend: '930000000000000007', // above the bot
  gone: '930000000000000099', // no such role
} as const;
const REWARD_ROLES: string[] = [R.regular, R.weekly, R.champ];
const HOUR = 3_600_000;

let s: Stack;
let bot: BotProcess;
let x: XDouble | undefined;

beforeAll(async () => {
  s = await startStack({
    env: { ROLE_SYNC_INTERVAL_MS: '1500', ROLE_SYNC_MAX_CHANGES: '6', SEASON_CHECK_INTERVAL_MS: '500' },
    roles: [
      { id: R.booster, name: 'Server Booster', managed: true },
      { id: R.regular, name: 'Regular' },
      { id: R.weekly, name: 'Weekly star' },
      { id: R.champ, name: 'Season champion' },
      { id: R.humanOnly, name: 'Moderator' },
      { id: R.tracker, name: 'Tracker', permissions: PERMISSIONS.MANAGE_ROLES },
      { id: R.legend, name: 'Legend' },
    ],
    botRoles: [R.tracker],
    discord: { memberRoleRateLimit: { limit: 10, windowMs: 2000 } },
  });
  bot = s.bot;
}, 120_000);

afterAll(async () => {
  if (bot !== s?.bot) await bot?.stop('SIGKILL');
  await x?.close();
  await s?.close();
});

/** A new bot process on a fresh health port (the old port may have been taken meanwhile on a busy machine). */
const restartBot = async () => startBotProcess({ ...s.env, HEALTH_PORT: String(await freePort()) });
const rule = (input: Record<string, unknown>) => s.stores.roleRewards.create(input, 'admin:test');
const status = (r: RoleRewardRule) => s.stores.roleRewards.status(r.id);
const has = (member: string, role: string) => s.discord.members.roles(member).includes(role);
const holders = (r: RoleRewardRule) => s.stores.roleRewards.holders(r.id);
/** Every member-role call the bot made (refused ones too), from the double's request log. */
const roleCalls = () => s.discord.sent.filter((c) => /^\/guilds\/\d+\/members\/\d+\/roles\/\d+$/.test(c.path)).map((c) => ({ method: c.method, roleId: c.path.split('/').pop()!, userId: c.path.split('/')[4]! }));
const board = (ref: Parameters<Stores['leaderboard']['key']>[0]) => s.stores.leaderboard.key(ref);

describe('role rewards applied by the bot', () => {
  it('gives the role to members a real batch run takes over the points threshold, within a minute; a role a human gave is left alone', async () => {
    // A community on the X double: members linked, posts submitted, engagement on X; the batch program awards it.
    const end = Date.now();
    const sc = buildScenario({ seed: 7, members: 6, tweets: 4, hours: 3, end, memberRates: { like: 6, retweet: 2, reply: 0, quote: 0 }, outsiderRates: { like: 0, retweet: 0, reply: 0, quote: 0 }, noiseLikesPerDay: 0, noisePostsPerDay: 0, meanDelayMs: 20 * 60_000, quietAfterEnd: true });
    sc.advanceTo(end);
    x = await startXDouble({ state: sc.state });
    await seedStores(s.stores, sc);
    const members = sc.members.map((_, i) => memberDiscordId(i));
    for (const id of members) s.discord.members.add({ id, username: `member-${id.slice(-3)}` });
    // The most engaged member already holds the role: a moderator gave it by hand.
    const engagements = members.map((_, i) => [...sc.truth(end)].filter((k) => k.split('|')[1] === sc.members[i]!.id).length);
    const handGiven = members[engagements.indexOf(Math.max(...engagements))]!;
    s.discord.members.setRoles(handGiven, [R.regular]);

    const regular = await rule({ name: 'Regular', roleId: R.regular, condition: { type: 'points', minPoints: 3 }, removeWhenLost: true });
    await expect.poll(async () => (await status(regular)).state, { timeout: 30_000 }).toBe('ok');
    expect(await holders(regular)).toEqual([]);

    const run = await runScript('batch-job/src/main.ts', { ...s.env, TWITTER_API_BASE_URL: x.url, TWITTER_BEARER_TOKEN: 'sandbox-bearer-token', TWITTER_CLIENT_ID: 'sandbox-client', LOG_LEVEL: 'warn' }, 120_000, ['run']);
    expect(run.code, run.output).toBe(0);
    const awardedAt = Date.now();
    const scores = await s.stores.leaderboard.scores(members, { board: 'alltime' });
    const qualified = members.filter((_, i) => scores[i]! >= 3);
    expect(qualified.length, `scores ${scores.join(',')}`).toBeGreaterThan(1);

    expect(qualified).toContain(handGiven);
    const bots = qualified.filter((id) => id !== handGiven);
    await expect.poll(() => bots.every((id) => has(id, R.regular)), { timeout: 60_000 }).toBe(true);
    const latency = Date.now() - awardedAt;
    expect(latency).toBeLessThan(60_000);
    // A figure, not a pass mark: from the end of the batch run to the last role given (sync every 1.5 s here).
    console.info(JSON.stringify({ figure: 'role_reward_award_to_role_ms', value: latency, members: bots.length }));
    expect(await holders(regular)).toEqual([...bots].sort());
    for (const id of members.filter((m) => !qualified.includes(m))) expect(has(id, R.regular)).toBe(false);
    // The hand-given role: kept, never recorded as the bot's, so never removed; no write was made for it.
    expect(has(handGiven, R.regular)).toBe(true);
    expect(roleCalls().filter((c) => c.userId === handGiven)).toEqual([]);
    // Each grant: one Discord call with an audit-log reason, one audit entry by the bot.
    const grants = s.discord.roleChanges.filter((c) => c.roleId === R.regular && c.action === 'add');
    expect(grants.map((c) => c.userId).sort()).toEqual([...bots].sort());
    expect(grants.every((c) => c.changed && c.reason === 'Role reward "Regular": 3+ all-time points')).toBe(true);
    const audit = (await s.stores.audit.list({ limit: 100 })).items.filter((e) => e.action === 'role-reward.grant');
    expect(audit.map((e) => e.actor)).toEqual(bots.map(() => 'bot'));
    expect((await status(regular)).holders).toBe(bots.length);

    // Points taken back below the threshold: the role goes (removeWhenLost), for the bot's grants only.
    const loser = bots[0]!;
    await s.stores.ledger.adjust({ discordId: loser, delta: -scores[members.indexOf(loser)]!, reason: 'test: points taken back', actor: 'admin:test', idempotencyKey: 'roles-e2e-1' });
    await expect.poll(() => has(loser, R.regular), { timeout: 60_000 }).toBe(false);
    // The record follows the Discord call.
    await expect.poll(async () => await holders(regular), { timeout: 30_000 }).not.toContain(loser);
    await s.stores.roleRewards.update(regular.id, { enabled: false }, 'admin:test');
  }, 300_000);

  it('moves a week top-1 role when the ranking changes, and never touches a role no rule names', async () => {
    s.discord.members.setRoles(IDS.dave, [IDS.coreRole, R.humanOnly]);
    const weekly = await rule({ name: 'Weekly star', roleId: R.weekly, condition: { type: 'rank', board: 'week', top: 1 }, removeWhenLost: true });
    const week = board({ board: 'weekly' });
    await s.stores.ctx.redis.zadd(week, 500, IDS.bob, 400, IDS.carol);
    await expect.poll(() => has(IDS.bob, R.weekly), { timeout: 60_000 }).toBe(true);
    await s.stores.ctx.redis.zadd(week, 900, IDS.carol);
    await expect.poll(() => has(IDS.carol, R.weekly) && !has(IDS.bob, R.weekly), { timeout: 60_000 }).toBe(true);
    expect(await holders(weekly)).toEqual([IDS.carol]);
    const removal = s.discord.roleChanges.find((c) => c.roleId === R.weekly && c.action === 'remove');
    expect(removal).toMatchObject({ userId: IDS.bob, changed: true, reason: 'Role reward "Weekly star": condition no longer met' });
    // Roles no rule names were never the object of a call; dave keeps his.
    expect(roleCalls().filter((c) => !REWARD_ROLES.includes(c.roleId))).toEqual([]);
    expect(s.discord.members.roles(IDS.dave)).toEqual([IDS.coreRole, R.humanOnly]);
    await s.stores.roleRewards.update(weekly.id, { enabled: false }, 'admin:test');
  }, 180_000);

  it('moves a season top-1 role at the season boundary: the final top keeps it until the next season starts', async () => {
    // Seasons are created ending in the future only: use a clock two hours back for the first one.
    const client = createRedis(s.redis.url);
    const past = createStores(client, { prefix: s.env.REDIS_KEY_PREFIX!, encryptionKey: s.env.TOKEN_ENCRYPTION_KEY! , now: () => Date.now() - 2 * HOUR });
    const boundary = Date.now() + 8_000;
    const autumn = await past.seasons.create({ name: 'Autumn', startsAt: Date.now() - 3 * HOUR, endsAt: boundary }, 'test');
    const winter = await s.stores.seasons.create({ name: 'Winter', startsAt: boundary, endsAt: boundary + 30 * 86_400_000 }, 'test');
    await client.zadd(board({ board: 'season', season: autumn.id }), 50, IDS.carol, 20, IDS.bob);
    const champ = await rule({ name: 'Season champion', roleId: R.champ, condition: { type: 'rank', board: 'season', top: 1 }, removeWhenLost: true });
    await expect.poll(() => has(IDS.carol, R.champ), { timeout: 60_000 }).toBe(true);
    // Winter starts: its board is empty, so carol's role goes; the first to score in winter gets it.
    await expect.poll(() => has(IDS.carol, R.champ), { timeout: 60_000 }).toBe(false);
    expect(Date.now()).toBeGreaterThanOrEqual(boundary);
    await client.zadd(board({ board: 'season', season: winter.id }), 5, IDS.bob);
    await expect.poll(() => has(IDS.bob, R.champ), { timeout: 60_000 }).toBe(true);
    expect(await holders(champ)).toEqual([IDS.bob]);
    await s.stores.roleRewards.update(champ.id, { enabled: false }, 'admin:test');
    client.disconnect();
  }, 180_000);

  it('reports hierarchy, integration, deleted-role and permission problems in the rule status, and calls Discord for none of them', async () => {
    const before = roleCalls().length;
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), 1000, IDS.bob);
    const legend = await rule({ name: 'Legend', roleId: R.legend, condition: { type: 'points', minPoints: 100 } });
    const booster = await rule({ name: 'Booster', roleId: R.booster, condition: { type: 'points', minPoints: 100 } });
    const gone = await rule({ name: 'Gone', roleId: R.gone, condition: { type: 'points', minPoints: 100 } });
    await expect.poll(async () => [(await status(legend)).problem, (await status(booster)).problem, (await status(gone)).problem], { timeout: 60_000 }).toEqual([
      'role_above_bot',
      'role_managed_by_integration',
      'role_not_found',
    ]);
    expect((await status(legend)).message).toBe("The bot's highest role (@Tracker) is not above @Legend: move the bot's role above it in Server Settings → Roles.");
    // The guild's roles, published for the console's picker with the same verdicts.
    const published = await s.stores.roleRewards.guildRoles();
    const verdict = (id: string) => published?.roles.find((r) => r.id === id)?.problem ?? 'ok';
    expect(published?.guildId).toBe(IDS.guild);
    expect([R.regular, R.legend, R.booster, R.tracker, IDS.guild].map(verdict)).toEqual(['ok', 'role_above_bot', 'role_managed_by_integration', 'role_above_bot', 'everyone_role']);
    // Without Manage Roles every rule is a problem, and nothing is tried.
    const regular = await rule({ name: 'Regular 2', roleId: R.regular, condition: { type: 'points', minPoints: 900 }, removeWhenLost: true });
    s.discord.roles.update(R.tracker, { permissions: '0' });
    await expect.poll(async () => (await status(regular)).problem, { timeout: 60_000 }).toBe('missing_manage_roles');
    const afterProblems = roleCalls().length;
    await new Promise((r) => setTimeout(r, 4000)); // a few more syncs (1.5 s apart) while the problem lasts
    expect(roleCalls().length).toBe(afterProblems);
    expect(roleCalls().slice(before).filter((c) => [R.legend, R.booster, R.gone].includes(c.roleId as never))).toEqual([]);
    const metrics = await fetch(`${bot.healthUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/engagement_tracker_bot_role_rules_with_problems(\{[^}]*\})? 4\n/);
    expect(metrics).toMatch(/engagement_tracker_bot_role_changes_total\{[^}]*op="add",result="ok"[^}]*\} [1-9]/);
    // An admin fixes the permission: the rule applies again on the next sync.
    s.discord.roles.update(R.tracker, { permissions: String(PERMISSIONS.MANAGE_ROLES) });
    await expect.poll(() => has(IDS.bob, R.regular), { timeout: 60_000 }).toBe(true);
    expect((await status(regular)).state).toBe('ok');
    for (const r of [legend, booster, gone]) await s.stores.roleRewards.delete(r.id, 'admin:test');
  }, 180_000);

  it('skips a qualifying member who is not in the server, and forgets a holder who left', async () => {
    const regular = (await s.stores.roleRewards.list()).find((r) => r.name === 'Regular 2')!;
    const stranger = '950000000000000001'; // scored, but never joined (or left before the grant)
    const leaver = s.discord.members.add({ id: '950000000000000002', username: 'leaver' });
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), 960, stranger, 970, leaver);
    await expect.poll(async () => (await holders(regular)).includes(leaver), { timeout: 60_000 }).toBe(true);
    expect(roleCalls().filter((c) => c.userId === stranger)).toEqual([]);
    expect(await holders(regular)).not.toContain(stranger);
    // The holder leaves the server, then loses the points: no longer a holder, reason recorded.
    s.discord.members.remove(leaver);
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), 10, leaver);
    await expect.poll(async () => (await holders(regular)).includes(leaver), { timeout: 60_000 }).toBe(false);
    const removed = (await s.stores.audit.list({ limit: 200 })).items.find((e) => e.action === 'role-reward.remove' && e.target === `member:${leaver}`);
    expect(JSON.stringify(removed)).toMatch(/member left the server/);
    expect((await status(regular)).state).toBe('ok');
    await s.stores.ctx.redis.zrem(board({ board: 'alltime' }), stranger);
  }, 180_000);

  it('converges after a restart: a grant interrupted before its record is recorded, a human grant is not', async () => {
    await bot.stop('SIGKILL');
    const rules = await s.stores.roleRewards.list();
    const regular = rules.find((r) => r.name === 'Regular 2')!;
    // As if the bot died between Discord's answer and the store's record: the role on Discord, an intent, no record.
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), 950, IDS.carol, 990, IDS.alice);
    s.discord.members.setRoles(IDS.carol, [R.regular]);
    await s.stores.roleIntents.mark(regular.id, IDS.carol);
    // alice got the role from a moderator meanwhile: no intent.
    s.discord.members.setRoles(IDS.alice, [IDS.adminRole, R.regular]);
    const calls = roleCalls().length;
    bot = await restartBot();
    await expect.poll(async () => (await holders(regular)).includes(IDS.carol), { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await status(regular)).lastSyncAt! > new Date(Date.now() - 3000).toISOString(), { timeout: 60_000 }).toBe(true);
    expect(await holders(regular)).toEqual([IDS.bob, IDS.carol].sort());
    expect(await s.stores.roleIntents.fresh(regular.id)).toEqual(new Set());
    // Neither needed a Discord write.
    expect(roleCalls().slice(calls).filter((c) => c.method !== 'GET')).toEqual([]);
    const converged = (await s.stores.audit.list({ limit: 100 })).items.find((e) => e.action === 'role-reward.grant' && e.target === `member:${IDS.carol}`);
    expect(JSON.stringify(converged)).toMatch(/interrupted/);
  }, 180_000);

  it('stops on SIGTERM between changes and the next start finishes the job', async () => {
    const regular = (await s.stores.roleRewards.list()).find((r) => r.name === 'Regular 2')!;
    const ids = Array.from({ length: 14 }, (_, i) => `9400000000000000${String(i).padStart(2, '0')}`);
    for (const id of ids) s.discord.members.add({ id, username: `fan${id.slice(-2)}` });
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), ...ids.flatMap((id) => [1000, id]));
    await expect.poll(async () => (await holders(regular)).length, { timeout: 60_000 }).toBeGreaterThan(3);
    const first = bot;
    expect(await bot.stop('SIGTERM')).toBe(0);
    // Every recorded holder has the role on Discord; any member with the role but no record has an intent.
    const recorded = await holders(regular);
    const intents = await s.stores.roleIntents.fresh(regular.id);
    for (const id of recorded) expect(has(id, R.regular)).toBe(true);
    for (const id of ids) if (has(id, R.regular) && !recorded.includes(id)) expect(intents.has(id)).toBe(true);
    bot = await restartBot();
    await expect.poll(async () => ids.every((id) => has(id, R.regular)), { timeout: 90_000 }).toBe(true);
    await expect.poll(async () => (await holders(regular)).filter((id) => ids.includes(id)).length, { timeout: 60_000 }).toBe(ids.length);
    // Each member got the role from exactly one successful call, at most ROLE_SYNC_MAX_CHANGES (6) per sync.
    const adds = s.discord.roleChanges.filter((c) => c.roleId === R.regular && c.action === 'add' && c.changed && ids.includes(c.userId));
    expect(adds).toHaveLength(ids.length);
    expect([...first.logs, ...bot.logs].some((l) => l.msg === 'role sync: change budget reached, the rest next sync')).toBe(true);
    // discord.js followed the double's rate-limit headers: the bucket (10 per 2 s) never had to answer 429.
    expect(s.discord.rateLimited).toEqual([]);
  }, 240_000);

  it('two bot replicas on one Redis sync in turn (the sync lease): one grant call per member, none found "already held"', async () => {
    const regular = (await s.stores.roleRewards.list()).find((r) => r.name === 'Regular 2')!;
    const replica = await restartBot();
    try {
      // Both replicas sync every 1.5 s; members qualify while both run.
      const ids = Array.from({ length: 24 }, (_, i) => `9600000000000000${String(i).padStart(2, '0')}`);
      for (const id of ids) s.discord.members.add({ id, username: `pair${id.slice(-2)}` });
      await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), ...ids.flatMap((id) => [1000, id]));
      await expect.poll(async () => (await holders(regular)).filter((id) => ids.includes(id)).length, { timeout: 120_000, interval: 500 }).toBe(ids.length);
      expect(ids.filter((id) => !has(id, R.regular))).toEqual([]);
      // Exactly one write per member: no replica planned a grant the other was making.
      const writes = roleCalls().filter((c) => c.method !== 'GET' && ids.includes(c.userId));
      expect(writes.map((c) => `${c.method} ${c.userId}`).sort()).toEqual(ids.map((id) => `PUT ${id}`).sort());
      // A replica that read the member after the other's grant would have found the role held (a human's, for it).
      const results = [...bot.logs, ...replica.logs].filter((l) => ids.includes(l.member as string)).map((l) => l.result);
      expect(results.filter((r) => r !== 'ok')).toEqual([]);
      expect(results).toHaveLength(ids.length);
      // Both replicas kept syncing; a replica that found the lease held skipped its sync.
      const metrics = await Promise.all([bot, replica].map((b) => fetch(`${b.healthUrl}/metrics`).then((r) => r.text())));
      for (const m of metrics) expect(m).toMatch(/engagement_tracker_bot_role_syncs_total\{outcome="ok"[^}]*\} [1-9]/);
    } finally {
      expect(await replica.stop('SIGTERM')).toBe(0);
    }
  }, 240_000);

  it('remembers members a human gave the role across a restart and for a second replica: nobody reads them again', async () => {
    const regular = (await s.stores.roleRewards.list()).find((r) => r.name === 'Regular 2')!;
    const ids = Array.from({ length: 3 }, (_, i) => `9700000000000000${String(i).padStart(2, '0')}`);
    // Moderators gave these members the role by hand; they qualify for the rule too.
    for (const id of ids) s.discord.members.add({ id, username: `hand${id.slice(-2)}`, roles: [R.regular] });
    const memberReads = () => s.discord.sent.filter((c) => c.method === 'GET' && ids.some((id) => c.path === `/guilds/${IDS.guild}/members/${id}`)).length;
    await s.stores.ctx.redis.zadd(board({ board: 'alltime' }), ...ids.flatMap((id) => [1000, id]));
    const leftAlone = async () => (await s.stores.roleLeftAlone.current()).get(R.regular) ?? new Set<string>();
    await expect.poll(async () => [...(await leftAlone())].filter((id) => ids.includes(id)).sort(), { timeout: 60_000 }).toEqual(ids);
    // One read each found the role held: never recorded, never written.
    expect(memberReads()).toBe(ids.length);
    const syncedAfter = async (b: BotProcess, since: number) => {
      const m = await fetch(`${b.healthUrl}/metrics`).then((r) => r.text());
      return Number(/engagement_tracker_bot_role_syncs_total\{outcome="ok"[^}]*\} (\d+)/.exec(m)?.[1] ?? 0) > since;
    };
    // A restarted bot, then a second replica beside it, each sync a few times (1.5 s apart) and read none of them again.
    expect(await bot.stop('SIGTERM')).toBe(0);
    bot = await restartBot();
    await expect.poll(() => syncedAfter(bot, 2), { timeout: 60_000 }).toBe(true);
    const replica = await restartBot();
    try {
      await expect.poll(() => syncedAfter(replica, 2), { timeout: 60_000 }).toBe(true);
      expect(memberReads()).toBe(ids.length);
      expect(roleCalls().filter((c) => ids.includes(c.userId))).toEqual([]);
      expect(await holders(regular)).not.toEqual(expect.arrayContaining([ids[0]]));
      for (const id of ids) expect(has(id, R.regular)).toBe(true);
    } finally {
      expect(await replica.stop('SIGTERM')).toBe(0);
    }
  }, 240_000);
});
