import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, createStores, periodBounds, periodOf, shiftPeriod } from '@engagement-tracker/core';
import type { InteractionResult } from '@engagement-tracker/sandbox/discord';
import type { XUser } from '@engagement-tracker/sandbox/x';
import { IDS, startStack, type Stack } from './support/stack';

let s: Stack;
let author: XUser;
const HOUR = 3_600_000;
const tokens = { accessToken: 'at', refreshToken: 'rt', expiresAt: Date.now() + HOUR, scopes: ['tweet.read', 'users.read', 'like.read', 'offline.access'] };

beforeAll(async () => {
  s = await startStack();
  author = s.x.state.addUser({ username: 'poster' });
  // bob and dave have linked X accounts; carol has not.
  await s.stores.connections.link({ discordId: IDS.bob, displayName: 'bob', xUserId: '77001', handle: 'bob_x', scopes: tokens.scopes, tokens });
  await s.stores.connections.link({ discordId: IDS.dave, displayName: 'dave', xUserId: '77002', handle: 'dave_x', scopes: tokens.scopes, tokens });
}, 90_000);

afterAll(async () => {
  await s?.close();
});

const submit = (as: string, url: string, extra: { category?: string; channel?: string } = {}) =>
  s.discord.interact({ as, command: 'submit', channel: extra.channel ?? 'engagement-tracker', options: { url, ...(extra.category ? { category: extra.category } : {}) } });
const tweetUrl = (id: string) => `https://x.com/poster/status/${id}`;

describe('bot process against the Discord double, the X double and Redis', () => {
  it('serves /healthz and /readyz and registered every command', async () => {
    expect((await fetch(`${s.bot.healthUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.bot.healthUrl}/readyz`)).status).toBe(200);
    expect([...s.discord.state.commandsFor(IDS.guild).keys()].sort()).toEqual(['ban', 'connect', 'disconnect', 'leaderboard', 'stats', 'submit', 'tier', 'unban']);
    expect(s.discord.state.findCommand('tier', IDS.guild)?.default_member_permissions).toBe(String(1n << 5n));
  });

  it('/submit accepts a recent tweet and announces it with like/retweet/reply intents', async () => {
    const t = s.x.state.addTweet({ authorId: author.id, text: 'big news', createdAt: Date.now() - HOUR });
    const r = await submit(IDS.bob, tweetUrl(t.id), { category: 'news' });
    const reply = await r.reply();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Submitted!/);
    const stored = await s.stores.tweets.get(t.id);
    expect(stored).toMatchObject({ submitterId: IDS.bob, category: 'news', authorHandle: 'poster', authorId: author.id });
    const announced = await s.discord.waitForMessage('engagement-tracker', (m) => JSON.stringify(m.embeds).includes(t.id));
    const urls = (announced.components[0]!.components as Array<{ url: string }>).map((b) => b.url);
    expect(urls).toEqual([
      `https://x.com/intent/like?tweet_id=${t.id}`,
      `https://x.com/intent/retweet?tweet_id=${t.id}`,
      `https://x.com/intent/tweet?in_reply_to=${t.id}`,
      `https://x.com/poster/status/${t.id}`,
    ]);
    expect(s.x.requestsTo('tweets_lookup').length).toBe(1);
  });

  it('/submit refuses: duplicate, bad URL, unknown tweet, too old, unknown category, wrong channel, not linked', async () => {
    const fresh = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    const old = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - 30 * HOUR });
    const dup = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    await (await submit(IDS.dave, tweetUrl(dup.id))).reply();
    const cases: Array<[Promise<InteractionResult>, RegExp]> = [
      [submit(IDS.dave, `twitter.com/someone/status/${dup.id}`), /already being tracked/],
      [submit(IDS.dave, 'https://example.com/nope'), /not posts on X/],
      [submit(IDS.dave, tweetUrl('1999999999999999999')), /does not exist/],
      [submit(IDS.dave, tweetUrl(old.id)), /older than 24 hours/],
      [submit(IDS.dave, tweetUrl(fresh.id), { category: 'memes' }), /Unknown category "memes"/],
      [submit(IDS.dave, tweetUrl(fresh.id), { channel: 'general' }), /use this command in <#\d+>/],
      [submit(IDS.carol, tweetUrl(fresh.id)), /Link your X account first/],
    ];
    for (const [pending, expected] of cases) {
      const reply = await (await pending).reply();
      expect(reply.content).toMatch(expected);
      expect(reply.ephemeral).toBe(true);
    }
    expect(await s.stores.tweets.get(fresh.id)).toBeNull();
    expect(await s.stores.tweets.get(old.id)).toBeNull();
  });

  it("/submit of a protected member's own post when X refuses to refresh their grant: marked needs_reconnect at once, told to /connect (reply + one DM)", async () => {
    const locked = s.x.state.addUser({ username: 'alice_locked', protected: true });
    const post = s.x.state.addTweet({ authorId: locked.id, text: 'members only', createdAt: Date.now() - HOUR });
    const issued = s.x.state.issueTokens(locked.id, tokens.scopes, 'sandbox-client');
    await s.stores.connections.link({ discordId: IDS.alice, displayName: 'alice', xUserId: locked.id, handle: 'alice_locked', scopes: tokens.scopes, tokens: { ...tokens, accessToken: issued.accessToken, refreshToken: issued.refreshToken!, expiresAt: Date.now() - 1 } });
    s.x.state.revokeUser(locked.id);
    const reply = await (await submit(IDS.alice, `https://x.com/alice_locked/status/${post.id}`)).reply();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/Run \/connect to link your X account again/);
    expect((await s.stores.connections.get(IDS.alice))!.status).toBe('needs_reconnect');
    expect((await s.discord.waitForDm(IDS.alice, (m) => m.content.includes('/connect'))).content).toMatch(/no longer accepts/);
    // Submitting again: same answer, no second DM.
    expect((await (await submit(IDS.alice, `https://x.com/alice_locked/status/${post.id}`)).reply()).content).toMatch(/Run \/connect/);
    expect(s.discord.dms(IDS.alice).filter((m) => m.content.includes('/connect'))).toHaveLength(1);
    await s.stores.connections.unlink(IDS.alice, 'test');
  });

  it('/submit applies the daily rate limit (3 here) but not to core-role members', async () => {
    const make = () => s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    // bob already used one submission above
    for (let k = 0; k < 2; k++) expect((await (await submit(IDS.bob, tweetUrl(make().id))).reply()).content).toMatch(/^Submitted!/);
    const refused = await (await submit(IDS.bob, tweetUrl(make().id))).reply();
    expect(refused.content).toMatch(/limit of 3 submissions a day/);
    for (let k = 0; k < 2; k++) expect((await (await submit(IDS.dave, tweetUrl(make().id))).reply()).content).toMatch(/^Submitted!/);
  });

  it('still announces when Discord rate-limits the channel post (429 + Retry-After)', async () => {
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    s.discord.failRest({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 429, retryAfterMs: 300 });
    expect((await (await submit(IDS.dave, tweetUrl(t.id))).reply()).content).toMatch(/^Submitted!/);
    await s.discord.waitForMessage('engagement-tracker', (m) => JSON.stringify(m.embeds).includes(t.id), 5000);
  });

  it('refuses server-only commands in DMs', async () => {
    const r = await (await s.discord.interact({ as: IDS.bob, command: 'connect', dm: true })).reply();
    expect(r.content).toMatch(/only works inside the server/);
  });

  it('offers configured categories by autocomplete', async () => {
    const r = await s.discord.interact({ as: IDS.bob, autocomplete: 'submit', focused: 'category', options: { url: 'x', category: 'ar' } });
    expect(r.choices.map((c) => c.value)).toEqual(['art']);
  });

  it('defers when X is slow and still answers; a failing X gives a friendly message, never a timeout', async () => {
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    // Slower than Discord's 3 s deadline, so only a deferral can save it; the bot defers at 1.5 s, which
    // leaves 2.5 s of slack on a loaded machine (2.2 s left only 0.7 s, and a late timer lost the race).
    s.x.fail({ endpoint: 'tweets_lookup', delayMs: 4000, count: 1 });
    const slow = await submit(IDS.dave, tweetUrl(t.id));
    expect(slow.type).toBe(5); // deferred inside the 3 s deadline
    expect(slow.latencyMs).toBeLessThan(3000);
    expect((await slow.reply(8000)).content).toMatch(/^Submitted!/);
    const t2 = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    // A read is tried three times (two retries): X failing all three gives the friendly message.
    s.x.fail({ endpoint: 'tweets_lookup', status: 503, count: 3 });
    const failed = await (await submit(IDS.dave, tweetUrl(t2.id))).reply(8000);
    expect(failed.content).toMatch(/Something went wrong on our side/);
    expect(failed.ephemeral).toBe(true);
    // The log line comes from the bot process's stdout, which can trail the reply on a busy machine.
    await expect.poll(() => s.bot.logs.some((l) => l.msg === 'interaction failed' && l.command === 'submit')).toBe(true);
  });

  it('retries the lookup when X closes the connection once (an idempotent read), and the submission goes through', async () => {
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    const before = s.x.requestsTo('tweets_lookup').length;
    s.x.fail({ endpoint: 'tweets_lookup', close: true, count: 1 });
    const r = await submit(IDS.dave, tweetUrl(t.id));
    expect((await r.reply(8000)).content).toMatch(/^Submitted!/);
    expect(s.x.requestsTo('tweets_lookup').length - before).toBe(2);
  });

  it('defers when Redis is slow, then answers with the real data', async () => {
    // Block Redis for ~3.5 s (past Discord's 3 s deadline, under Redis' 5 s script limit) with a busy
    // script: only a deferral inside the deadline saves the interaction; the bot edits it later.
    const blocker = s.redis.client();
    const deadline = Date.now() * 1000 + 3_500_000;
    const busy = blocker.eval("while true do local t = redis.call('TIME'); if (t[1] * 1000000 + t[2]) > tonumber(ARGV[1]) then break end end return 1", 0, String(deadline));
    await new Promise((r) => setTimeout(r, 50));
    const r = await s.discord.interact({ as: IDS.bob, command: 'stats' });
    expect(r.type).toBe(5);
    expect(r.latencyMs).toBeLessThan(3000);
    expect((await r.reply(8000)).embeds.length).toBe(1);
    await busy;
  });

  it('/tier: admins only (runtime role check), level 1-3, audited', async () => {
    const denied = await (await s.discord.interact({ as: IDS.bob, command: 'tier', options: { member: IDS.carol, level: 3 } })).reply();
    expect(denied.content).toMatch(/Only admins/);
    const range = await (await s.discord.interact({ as: IDS.alice, command: 'tier', options: { member: IDS.carol, level: 4 } })).reply();
    expect(range.content).toMatch(/Tier must be 1, 2 or 3/);
    const ok = await (await s.discord.interact({ as: IDS.alice, command: 'tier', options: { member: IDS.carol, level: 3 } })).reply();
    expect(ok.content).toMatch(/is now tier 3 \(Power\)/);
    expect(ok.ephemeral).toBe(true);
    expect((await s.stores.members.get(IDS.carol))?.tier).toBe(3);
    const audit = await s.stores.audit.list({ filter: { target: IDS.carol } });
    expect(audit.items.some((a) => a.actor === `discord:${IDS.alice}`)).toBe(true);
  });

  it('/stats shows points, ranks, tier, counts and link status, ephemerally', async () => {
    await s.stores.ledger.adjust({ discordId: IDS.bob, delta: 12, reason: 'test', actor: 'test' });
    const mine = await (await s.discord.interact({ as: IDS.bob, command: 'stats' })).reply();
    expect(mine.ephemeral).toBe(true);
    const text = JSON.stringify(mine.embeds);
    expect(text).toContain('12 (#1)');
    expect(text).toContain('Linked to [@bob_x]');
    const other = await (await s.discord.interact({ as: IDS.bob, command: 'stats', options: { member: IDS.carol } })).reply();
    expect(JSON.stringify(other.embeds)).toMatch(/3 · Power.*Not linked/);
  });

  it('/leaderboard shows the top 10, the caller rank and pages with buttons', async () => {
    for (let k = 0; k < 14; k++) {
      const id = `93000000000000${String(k).padStart(4, '0')}`;
      await s.stores.members.ensure(id, `m${k}`);
      await s.stores.ledger.adjust({ discordId: id, delta: 100 + k, reason: 'seed', actor: 'test' });
    }
    const r = await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { window: 'alltime' } });
    const first = await r.reply();
    expect(first.ephemeral).toBe(false);
    const embed = first.embeds[0] as { description: string; footer: { text: string } };
    expect(embed.description.split('\n')).toHaveLength(10);
    expect(embed.description).toMatch(/^\*\*1\.\*\* <@930000000000000013> — 113 pts/);
    expect(embed.footer.text).toMatch(/Your rank: #15 with 12 pts · page 1\/2/);
    const next = (first.components[0]!.components as Array<{ custom_id: string }>)[1]!.custom_id;
    const paged = await s.discord.interact({ as: IDS.bob, button: next, message: first.id });
    expect(paged.type).toBe(7); // the caller pages the message itself
    const page2 = await paged.reply();
    expect((page2.embeds[0] as { description: string }).description).toMatch(/^\*\*11\./);
    const byOther = await s.discord.interact({ as: IDS.carol, button: next, message: first.id });
    const privateView = await byOther.reply();
    expect(privateView.ephemeral).toBe(true);
    expect((privateView.embeds[0] as { footer: { text: string } }).footer.text).toMatch(/not ranked yet|Your rank/);
    const weekly = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard' })).reply();
    expect((weekly.embeds[0] as { title: string }).title).toMatch(/^Weekly leaderboard \(\d{4}-W\d{2}\)/);
  });

  it('/leaderboard and /stats by window and season: today, this month, the running season (autocomplete)', async () => {
    const season = await s.stores.seasons.create({ name: 'Launch sprint', startsAt: Date.now() - HOUR, endsAt: Date.now() + 24 * HOUR, multiplierPct: 200 }, 'test');
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    await (await submit(IDS.dave, tweetUrl(t.id))).reply();
    await s.stores.ledger.award({ batchId: 'e2e', engagements: [{ tweetId: t.id, discordId: IDS.bob, kind: 'reply' }] });
    const choices = await s.discord.interact({ as: IDS.bob, autocomplete: 'leaderboard', focused: 'season', options: { season: 'launch' } });
    expect(choices.choices).toEqual([{ name: 'Launch sprint (running)', value: season.id }]);
    const board = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { season: season.id } })).reply();
    const embed = board.embeds[0] as { title: string; description: string; footer: { text: string } };
    expect(embed.title).toBe('Season: Launch sprint');
    expect(embed.description).toBe(`**1.** <@${IDS.bob}> — 6 pts`);
    expect(embed.footer.text).toMatch(/Your rank: #1 with 6 pts/);
    const today = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { window: 'daily' } })).reply();
    expect((today.embeds[0] as { title: string }).title).toMatch(/^Daily leaderboard \(\d{4}-\d{2}-\d{2}\)/);
    const month = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { window: 'monthly' } })).reply();
    expect((month.embeds[0] as { title: string }).title).toMatch(/^Monthly leaderboard \(\d{4}-\d{2}\)/);
    const none = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { season: 'nope' } })).reply();
    expect(none.content).toMatch(/no season called "nope"/);
    const stats = JSON.stringify((await (await s.discord.interact({ as: IDS.bob, command: 'stats' })).reply()).embeds);
    expect(stats).toContain('Season: Launch sprint');
    expect(stats).toMatch(/"name":"Today","value":"\d+ \(#\d+\)"/);
  });

  it('/leaderboard browses a past day, week or month: autocomplete offers the ones still kept, page buttons stay on it', async () => {
    const now = Date.now();
    const lastWeek = shiftPeriod('week', periodOf('week', now), 1)!;
    const lastMonth = shiftPeriod('month', periodOf('month', now), 1)!;
    const yesterday = shiftPeriod('day', periodOf('day', now), 1)!;
    // Points adjusted back then: the same stores with a clock that reads an hour into each period.
    const client = createRedis(s.redis.url);
    const at = (window: 'day' | 'week' | 'month', id: string) =>
      createStores(client, { prefix: s.env.REDIS_KEY_PREFIX!, encryptionKey: s.env.TOKEN_ENCRYPTION_KEY!, now: () => periodBounds(window, id)!.start + HOUR });
    try {
      const weekStores = at('week', lastWeek);
      for (let k = 0; k < 12; k++) {
        const id = `95000000000000${String(k).padStart(4, '0')}`;
        await weekStores.members.ensure(id, `p${k}`);
        await weekStores.ledger.adjust({ discordId: id, delta: 20 + k, reason: 'past week', actor: 'test' });
      }
      await at('month', lastMonth).ledger.adjust({ discordId: IDS.carol, delta: 4, reason: 'past month', actor: 'test' });
      await at('day', yesterday).ledger.adjust({ discordId: IDS.carol, delta: 3, reason: 'yesterday', actor: 'test' });
    } finally {
      client.disconnect();
    }

    const choices = async (options: Record<string, string>) => (await s.discord.interact({ as: IDS.bob, autocomplete: 'leaderboard', focused: 'period', options })).choices;
    const weeks = await choices({ window: 'weekly', period: '' });
    expect(weeks[0]).toEqual({ name: expect.stringMatching(new RegExp(`^${periodOf('week', now)} · .* \\(this week\\)$`)), value: periodOf('week', now) });
    expect(weeks.map((c) => c.value)).toContain(lastWeek);
    expect(await choices({ period: lastWeek })).toEqual([{ name: expect.stringMatching(new RegExp(`^${lastWeek} · \\d+ \\w+ – \\d+ \\w+$`)), value: lastWeek }]);
    expect((await choices({ window: 'monthly', period: lastMonth })).map((c) => c.value)).toEqual([lastMonth]);
    expect((await choices({ window: 'daily', period: yesterday })).map((c) => c.value)).toEqual([yesterday]);
    expect(await choices({ window: 'season', period: '' })).toEqual([]);

    const show = async (options: Record<string, string>) => (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options })).reply();
    type Embed = { title: string; description: string; footer: { text: string } };
    const week = await show({ window: 'weekly', period: lastWeek });
    const embed = week.embeds[0] as Embed;
    expect(embed.title).toBe(`Weekly leaderboard (${lastWeek}, ended)`);
    expect(embed.description).toMatch(/^\*\*1\.\*\* <@950000000000000011> — 31 pts/);
    expect(embed.footer.text).toMatch(/You are not ranked yet · page 1\/2/);
    const next = (week.components[0]!.components as Array<{ custom_id: string }>)[1]!.custom_id;
    expect(next.endsWith(`:${lastWeek}`)).toBe(true);
    const page2 = (await (await s.discord.interact({ as: IDS.bob, button: next, message: week.id })).reply()).embeds[0] as Embed;
    expect(page2.title).toBe(`Weekly leaderboard (${lastWeek}, ended)`);
    expect(page2.description).toMatch(/^\*\*11\.\*\* <@95000000000000000[01]>/);
    // Without a window the period's form says which board it is.
    const month = (await show({ period: lastMonth })).embeds[0] as Embed;
    expect(month.title).toBe(`Monthly leaderboard (${lastMonth}, ended)`);
    expect(month.description).toContain(`<@${IDS.carol}>`);
    const day = (await show({ window: 'daily', period: yesterday })).embeds[0] as Embed;
    expect(day.title).toBe(`Daily leaderboard (${yesterday}, ended)`);
    expect(day.description).toContain(`<@${IDS.carol}>`);

    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ window: 'weekly', period: lastMonth }, new RegExp(`"${lastMonth}" is not a period: give a week like`)],
      [{ window: 'alltime', period: lastWeek }, /all time board has no past periods/],
      [{ period: shiftPeriod('week', periodOf('week', now), -1)! }, /has not started yet/],
      [{ period: shiftPeriod('week', periodOf('week', now), 60)! }, /no board for .*: nobody earned points then, or it is older than the boards are kept/],
      [{ season: 'any', period: lastWeek }, /a season or a period, not both/],
    ];
    for (const [options, message] of refusals) {
      const r = await show(options);
      expect(r.ephemeral).toBe(true);
      expect(r.content).toMatch(message);
    }
  });

  it('/ban and /unban: admins only, with a reason; the banned member is hidden from /leaderboard and refused /submit privately', async () => {
    const ban = (as: string, member: string, reason: string) => s.discord.interact({ as, command: 'ban', options: { member, reason } });
    expect((await (await ban(IDS.bob, IDS.dave, 'ring member')).reply()).content).toMatch(/Only admins/);
    const done = await (await ban(IDS.alice, IDS.dave, 'engagement ring')).reply();
    expect(done.ephemeral).toBe(true);
    expect(done.content).toMatch(/is banned: no points from now on/);
    expect((await (await ban(IDS.alice, IDS.dave, 'engagement ring')).reply()).content).toMatch(/already banned/);
    await s.stores.ledger.adjust({ discordId: IDS.dave, delta: 500, reason: 'history kept', actor: 'test' });
    const board = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { window: 'alltime' } })).reply();
    expect(JSON.stringify(board.embeds)).not.toContain(IDS.dave);
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    const refused = await (await submit(IDS.dave, tweetUrl(t.id))).reply();
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/banned from the engagement program \(reason: engagement ring\)/);
    expect(await s.stores.tweets.get(t.id)).toBeNull();
    const mine = await (await s.discord.interact({ as: IDS.dave, command: 'stats' })).reply();
    expect(JSON.stringify(mine.embeds)).toMatch(/Banned: you earn no points/);
    expect((await s.stores.members.get(IDS.dave))!.totalPoints).toBe(500);
    const lifted = await (await s.discord.interact({ as: IDS.alice, command: 'unban', options: { member: IDS.dave, reason: 'appeal accepted' } })).reply();
    expect(lifted.content).toMatch(/no longer banned/);
    const back = await (await s.discord.interact({ as: IDS.bob, command: 'leaderboard', options: { window: 'alltime' } })).reply();
    expect(JSON.stringify(back.embeds)).toContain(`<@${IDS.dave}> — 500 pts`);
    const actions = (await s.stores.audit.list({ filter: { target: IDS.dave } })).items.map((a) => `${a.action} ${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining([`member.ban discord:${IDS.alice}`, `member.unban discord:${IDS.alice}`]));
    await s.stores.ledger.adjust({ discordId: IDS.dave, delta: -500, reason: 'undo', actor: 'test' });
  });

  it('/stats tells a member how many replies were not counted and why; commands record Discord facts', async () => {
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    await s.stores.tweets.submit({ tweetId: t.id, url: tweetUrl(t.id), authorId: author.id, authorHandle: 'poster', submitterId: IDS.dave, category: 'news', createdAt: Date.now() - HOUR });
    const t2 = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    await s.stores.tweets.submit({ tweetId: t2.id, url: tweetUrl(t2.id), authorId: author.id, authorHandle: 'poster', submitterId: IDS.dave, category: 'news', createdAt: Date.now() - HOUR });
    const hold = { reason: 'reply' as const, code: 'too_short', detail: 'too short' };
    await s.stores.ledger.award({ batchId: 'r', engagements: [{ tweetId: t.id, discordId: IDS.bob, kind: 'reply', hold }, { tweetId: t2.id, discordId: IDS.bob, kind: 'reply', hold }] });
    const mine = await (await s.discord.interact({ as: IDS.bob, command: 'stats' })).reply();
    expect(JSON.stringify(mine.embeds)).toContain('2 replies not counted: too short');
    const facts = (await s.stores.moderation.facts([IDS.bob])).get(IDS.bob)!;
    expect(facts.roleIds).toEqual([]);
    expect(facts.guildJoinedAt).toBeGreaterThan(Date.now() - 86_400_000);
    expect((await s.stores.moderation.facts([IDS.alice])).get(IDS.alice)!.roleIds ?? [IDS.adminRole]).toEqual([IDS.adminRole]);
  });

  it('/disconnect removes the link and tokens; refuses when not linked', async () => {
    const r = await (await s.discord.interact({ as: IDS.dave, command: 'disconnect' })).reply();
    expect(r.content).toMatch(/Unlinked @dave_x/);
    expect(await s.stores.connections.get(IDS.dave)).toBeNull();
    expect(await s.stores.connections.getTokens(IDS.dave)).toBeNull();
    const again = await (await s.discord.interact({ as: IDS.dave, command: 'disconnect' })).reply();
    expect(again.content).toMatch(/no X account linked/);
  });

  it('resumes after the gateway connection drops', async () => {
    s.discord.gateway.dropConnections();
    await new Promise((res) => setTimeout(res, 200));
    await s.discord.waitForBot();
    const r = await (await s.discord.interact({ as: IDS.bob, command: 'stats' })).reply();
    expect(r.embeds.length).toBe(1);
    expect(s.discord.gateway.stats.resumes + s.discord.gateway.stats.identifies).toBeGreaterThanOrEqual(2);
  });

  it('never leaves an interaction unanswered in this run, and stops cleanly on SIGTERM', async () => {
    expect(s.bot.logs.filter((l) => l.level === 'error' && l.msg !== 'interaction failed')).toEqual([]);
    const code = await s.bot.stop('SIGTERM');
    expect(code).toBe(0);
    expect(s.bot.logs.some((l) => l.msg === 'shutdown complete')).toBe(true);
  });
});
