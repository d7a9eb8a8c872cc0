import { describe, expect, it } from 'vitest';
import { DiscordAPIError, RateLimitError } from 'discord.js';
import { classify } from '../src/roles/apply';
import { nextPeriodBoundary } from '../src/roles/board-facts';
import { checkRuleRole, compareRoles, type GuildFacts, type RoleFacts } from '../src/roles/role-check';
import { grantReason } from '../src/jobs/role-sync';
import { loadBotConfig } from '../src/config';

const G = '900000000000000001';
const role = (id: string, name: string, position: number, managed = false): RoleFacts => ({ id, name, position, managed });
const everyone = role(G, '@everyone', 0);
const bot = role('910000000000000005', 'Tracker', 5);
const low = role('910000000000000002', 'Regular', 2);
const high = role('910000000000000009', 'Legend', 9);
const booster = role('910000000000000003', 'Server Booster', 3, true);
const twin = role('910000000000000006', 'Twin', 5); // same position as the bot's role, newer id
const elder = role('910000000000000001', 'Elder', 5); // same position, older id: above the bot's role

function guild(over: Partial<GuildFacts> = {}): GuildFacts {
  return { guildId: G, botIsOwner: false, botCanManageRoles: true, botHighest: bot, roles: new Map([everyone, bot, low, high, booster, twin, elder].map((r) => [r.id, r])), ...over };
}

describe('role checks before any call', () => {
  it.each([
    ['a role below the bot', low.id, guild(), 'ok'],
    ['@everyone', G, guild(), 'everyone_role'],
    ['a deleted role', '919999999999999999', guild(), 'role_not_found'],
    ['a role managed by an integration', booster.id, guild(), 'role_managed_by_integration'],
    ['without Manage Roles', low.id, guild({ botCanManageRoles: false }), 'missing_manage_roles'],
    ['a role above the bot', high.id, guild(), 'role_above_bot'],
    ["the bot's own highest role", bot.id, guild(), 'role_above_bot'],
    ['a role at the same position with an older id', elder.id, guild(), 'role_above_bot'],
    ['a role at the same position with a newer id', twin.id, guild(), 'ok'],
    ['a role above the bot when the bot owns the server', high.id, guild({ botIsOwner: true }), 'ok'],
    ['a managed role even for the owner', booster.id, guild({ botIsOwner: true }), 'role_managed_by_integration'],
    ['a bot with no role at all', low.id, guild({ botHighest: everyone }), 'role_above_bot'],
  ])('%s → %s', (_what, roleId, g, expected) => {
    const r = checkRuleRole(roleId, g);
    expect(r.ok ? 'ok' : r.problem).toBe(expected);
  });

  it('says what to do in plain words, naming the roles', () => {
    const r = checkRuleRole(high.id, guild());
    expect(r).toMatchObject({ ok: false, message: "The bot's highest role (@Tracker) is not above @Legend: move the bot's role above it in Server Settings → Roles." });
    expect(checkRuleRole(low.id, guild({ botCanManageRoles: false }))).toMatchObject({ message: expect.stringMatching(/Manage Roles/) });
  });

  it('orders roles as Discord does: position, then the older id above', () => {
    expect(compareRoles(high, bot)).toBeGreaterThan(0);
    expect(compareRoles(elder, twin)).toBeGreaterThan(0);
    expect(compareRoles(twin, elder)).toBeLessThan(0);
    expect(compareRoles(bot, bot)).toBe(0);
  });
});

describe('role changes refused by Discord', () => {
  const apiError = (code: number, status: number) => new DiscordAPIError({ code, message: 'nope' }, code, status, 'PUT', '/x', { body: undefined, files: undefined });
  it.each([
    [10007, 404, 'member_left', undefined],
    [10011, 404, 'role_not_found', 'role_not_found'],
    [50013, 403, 'forbidden', 'discord_error'],
    [0, 500, 'error', 'discord_error'],
  ])('code %i (%i) → %s', (code, status, result, problem) => {
    const out = classify(apiError(code, status));
    expect(out.result).toBe(result);
    expect(out.problem?.problem).toBe(problem);
  });

  it('a rate limit surfaced to the bot is a rule status, not a crash', () => {
    const err = new RateLimitError({ timeToReset: 5000, limit: 10, method: 'PUT', hash: 'h', url: '/x', route: '/r', majorParameter: G, global: false, retryAfter: 5000, sublimitTimeout: 0, scope: 'user' });
    expect(classify(err)).toMatchObject({ result: 'rate_limited', problem: { problem: 'rate_limited' } });
    expect(classify(new Error('socket hang up'))).toMatchObject({ result: 'error', problem: { problem: 'discord_error', message: expect.stringMatching(/socket hang up/) } });
  });
});

describe('period boundaries', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['mid-week: the next Monday 00:00 UTC', '2026-11-25T10:00:00Z', [], '2026-11-30T00:00:00Z'],
    ['across a year (ISO week 53 of 2026)', '2026-12-31T23:00:00Z', [], '2027-01-04T00:00:00Z'],
    ['a season ending before the week does', '2026-11-25T10:00:00Z', [{ startsAt: at('2026-11-01T00:00:00Z'), endsAt: at('2026-11-27T18:00:00Z') }], '2026-11-27T18:00:00Z'],
    ['a season starting before the week ends', '2026-11-25T10:00:00Z', [{ startsAt: at('2026-11-26T00:00:00Z'), endsAt: at('2026-12-26T00:00:00Z') }], '2026-11-26T00:00:00Z'],
    ['past seasons are ignored', '2026-11-25T10:00:00Z', [{ startsAt: at('2026-10-01T00:00:00Z'), endsAt: at('2026-11-01T00:00:00Z') }], '2026-11-30T00:00:00Z'],
  ])('%s', (_what, now, seasons, expected) => {
    expect(new Date(nextPeriodBoundary(seasons, at(now))).toISOString()).toBe(new Date(at(expected)).toISOString());
  });
});

describe('role sync settings and reasons', () => {
  it('validates the cadence and the change budget', () => {
    expect(loadBotConfig({})).toMatchObject({ roleSyncIntervalMs: 30_000, roleSyncMaxChanges: 50 });
    expect(() => loadBotConfig({ ROLE_SYNC_INTERVAL_MS: '10', ROLE_SYNC_MAX_CHANGES: '0' })).toThrow(/ROLE_SYNC_INTERVAL_MS[\s\S]*ROLE_SYNC_MAX_CHANGES/);
  });

  it('writes an audit-log reason Discord accepts', () => {
    const rule = { id: 'r0001', name: 'x'.repeat(600), roleId: low.id, condition: { type: 'points' as const, minPoints: 100 }, removeWhenLost: false, enabled: true, createdAt: '', updatedAt: '' };
    expect(grantReason(rule)).toHaveLength(512);
    expect(grantReason({ ...rule, name: 'Weekly star', condition: { type: 'rank', board: 'week', top: 3 } })).toBe('Role reward "Weekly star": top 3 of the current week');
  });
});
