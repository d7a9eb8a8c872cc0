import { describe, expect, it } from 'vitest';
import { ConfigError } from '@engagement-tracker/core';
import { COMMANDS } from '../src/commands';
import { periodLabel } from '../src/commands/stats/leaderboard.autocomplete';
import { loadBotConfig, SANDBOX_BOT_TOKEN } from '../src/config';
import type { BotContext } from '../src/context';
import { buildCustomId, parseCustomId } from '../src/custom-id';
import { PRECONDITIONS } from '../src/preconditions';
import { resolvePeriod } from '../src/usecases/leaderboard-page';

describe('custom ids', () => {
  it('round-trips and enforces Discord limits', () => {
    const id = buildCustomId('lb', 'weekly', 3, '123456789012345678');
    expect(parseCustomId(id)).toEqual({ prefix: 'lb', args: ['weekly', '3', '123456789012345678'] });
    expect(() => buildCustomId('lb', 'x'.repeat(100))).toThrow(/too long/);
    expect(() => buildCustomId('lb', 'a:b')).toThrow(/must not contain/);
  });
});

describe('bot configuration', () => {
  it('runs in sandbox mode with defaults when no credentials are set', () => {
    const c = loadBotConfig({});
    expect(c.sandbox).toBe(true);
    expect(c.discord.token).toBe(SANDBOX_BOT_TOKEN);
    expect(c.engagementChannel).toBe('engagement-tracker');
    expect(c.submitRateLimitPerDay).toBe(10);
    expect(c.trackingWindowMs).toBe(24 * 3_600_000);
    expect(c.categories).toEqual(['general']);
    expect(c.x.bearerToken).toBeTruthy();
  });

  it('keeps the submit window inside the 7 days the batch reads a post for', () => {
    expect(loadBotConfig({ TRACKING_WINDOW_HOURS: '168' }).trackingWindowMs).toBe(7 * 86_400_000);
    expect(() => loadBotConfig({ TRACKING_WINDOW_HOURS: '169' })).toThrow(/TRACKING_WINDOW_HOURS/);
    expect(() => loadBotConfig({ TRACKING_WINDOW_HOURS: '0' })).toThrow(/TRACKING_WINDOW_HOURS/);
  });

  it('parses lists and refuses bad values all at once', () => {
    const c = loadBotConfig({ TWEET_CATEGORIES: 'art, news ,', ADMIN_ROLE_IDS: '123456789012345678,223456789012345678', SANDBOX: 'true' });
    expect(c.categories).toEqual(['art', 'news']);
    expect(c.adminRoleIds).toHaveLength(2);
    try {
      loadBotConfig({ ADMIN_ROLE_IDS: 'admins', SUBMIT_RATE_LIMIT_PER_DAY: '0', DISCORD_API_BASE_URL: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toMatch(/ADMIN_ROLE_IDS[\s\S]*SUBMIT_RATE_LIMIT_PER_DAY|SUBMIT_RATE_LIMIT_PER_DAY[\s\S]*ADMIN_ROLE_IDS/);
    }
  });

  it('requires the encryption key outside sandbox mode', () => {
    expect(() => loadBotConfig({ DISCORD_BOT_TOKEN: 'real' })).toThrow(/TOKEN_ENCRYPTION_KEY/);
    // ...and with real credentials even in sandbox mode (the sandbox key is public and signs /connect tickets).
    expect(() => loadBotConfig({ SANDBOX: 'true', DISCORD_BOT_TOKEN: 'real' })).toThrow(/TOKEN_ENCRYPTION_KEY is required with real/);
    expect(() => loadBotConfig({ SANDBOX: 'true', TWITTER_BEARER_TOKEN: 'real' })).toThrow(/TOKEN_ENCRYPTION_KEY is required with real/);
    expect(loadBotConfig({ SANDBOX: 'true', DISCORD_BOT_TOKEN: 'double', DISCORD_API_BASE_URL: 'http://127.0.0.1:9/api' }).sandbox).toBe(true);
  });
});

describe('command definitions', () => {
  it('are valid for registration: names, descriptions, admin-only /tier, ephemeral where about one member', () => {
    for (const c of COMMANDS.values()) {
      expect(c.data.name).toMatch(/^[a-z]{1,32}$/);
      expect(c.data.description.length).toBeGreaterThan(0);
    }
    expect(COMMANDS.get('tier')!.data.default_member_permissions).toBe(String(1n << 5n));
    expect(COMMANDS.get('tier')!.preconditions).toContain('AdminOnly');
    for (const name of ['connect', 'disconnect', 'stats', 'submit', 'tier', 'ban', 'unban']) expect(COMMANDS.get(name)!.ephemeral).toBe(true);
    for (const name of ['ban', 'unban']) expect(COMMANDS.get(name)!.preconditions).toEqual(['GuildOnly', 'AdminOnly']);
    expect(COMMANDS.get('submit')!.preconditions).toContain('NotBanned');
    expect(COMMANDS.get('leaderboard')!.ephemeral).toBe(false);
  });
});

describe('/leaderboard period option', () => {
  const NOW = Date.UTC(2026, 10, 29, 12); // Sunday of 2026-W48
  it.each([
    [null, '2026-W47', { ok: true, board: 'weekly', period: '2026-W47' }],
    [null, ' 2026-W48 ', { ok: true, board: 'weekly', period: '2026-W48' }],
    [null, '2026-11-28', { ok: true, board: 'daily', period: '2026-11-28' }],
    [null, '2026-10', { ok: true, board: 'monthly', period: '2026-10' }],
    ['weekly', '2020-W53', { ok: true, board: 'weekly', period: '2020-W53' }],
    ['daily', '2024-02-29', { ok: true, board: 'daily', period: '2024-02-29' }],
    ['weekly', '2026-11', { ok: false, message: '"2026-11" is not a period: give a week like 2026-W48.' }],
    [null, '2025-W53', { ok: false, message: expect.stringMatching(/^"2025-W53" is not a period: give a day like 2026-11-29, a week like 2026-W48, a month like 2026-11\.$/) }],
    ['daily', '2026-02-29', { ok: false, message: expect.stringMatching(/is not a period: give a day like 2026-11-29/) }],
    [null, 'last week', { ok: false, message: expect.stringMatching(/is not a period/) }],
    ['monthly', '2026-12', { ok: false, message: 'The month 2026-12 has not started yet.' }],
    [null, '2026-W49', { ok: false, message: 'The week 2026-W49 has not started yet.' }],
    ['season', '2026-W47', { ok: false, message: expect.stringMatching(/^The season board has no past periods/) }],
    ['alltime', '2026-W47', { ok: false, message: expect.stringMatching(/^The all time board has no past periods/) }],
  ] as const)('window %s, period %j', (window, period, want) => {
    expect(resolvePeriod(window, period, NOW)).toEqual(want);
  });

  it('labels periods in UTC, across the year boundary', () => {
    expect(periodLabel('weekly', '2026-W01', false)).toBe('2026-W01 · 29 Dec – 4 Jan');
    expect(periodLabel('weekly', '2020-W53', false)).toBe('2020-W53 · 28 Dec – 3 Jan');
    expect(periodLabel('daily', '2026-11-28', false)).toBe('2026-11-28 · Saturday');
    expect(periodLabel('monthly', '2026-11', true)).toBe('2026-11 · November 2026 (this month)');
  });
});

describe('preconditions', () => {
  it('GuildOnly: only in the configured server, never in another server the bot is in, nor in DMs', async () => {
    const ctx = { config: loadBotConfig({ DISCORD_GUILD_ID: '900000000000000001' }) } as unknown as BotContext;
    const run = (guildId: string | null) => PRECONDITIONS.GuildOnly({ inGuild: () => guildId !== null, guildId } as never, ctx);
    expect(await run('900000000000000001')).toEqual({ ok: true });
    expect(await run('900000000000000999')).toMatchObject({ ok: false, message: expect.stringMatching(/community server/) });
    expect(await run(null)).toMatchObject({ ok: false, message: expect.stringMatching(/inside the server/) });
    // Without a configured server (global commands), any server passes.
    const anyCtx = { config: loadBotConfig({}) } as unknown as BotContext;
    expect(await PRECONDITIONS.GuildOnly({ inGuild: () => true, guildId: '900000000000000999' } as never, anyCtx)).toEqual({ ok: true });
  });
});
