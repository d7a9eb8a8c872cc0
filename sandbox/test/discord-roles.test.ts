import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { PERMISSIONS, startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';

const G = '900000000000000001';
const BOT_ROLE = '910000000000000001';
const LOW = '910000000000000002';
const HIGH = '910000000000000003';
const BOB = '920000000000000002';

let double: DiscordDouble;
let rest: REST;

beforeAll(async () => {
  double = await startDiscordDouble({
    guilds: [
      {
        id: G,
        // positions follow the order: LOW (1) < bot role (2) < HIGH (3)
        roles: [
          { id: LOW, name: 'Contributor' },
          { id: BOT_ROLE, name: 'Tracker bot', permissions: PERMISSIONS.MANAGE_ROLES },
          { id: HIGH, name: 'Legend' },
        ],
        members: [{ id: BOB, username: 'bob' }, { id: '920000000000000001', username: 'owner' }],
        botRoles: [BOT_ROLE],
      },
    ],
  });
  rest = new REST({ api: double.url }).setToken(double.botToken);
});
afterAll(async () => {
  await double?.close();
});

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DiscordAPIError);
  return { status: (err as DiscordAPIError).status, code: (err as DiscordAPIError).code };
};

describe('Discord double: member roles', () => {
  it('adds and removes a role below the bot, idempotently, and records each change with its reason', async () => {
    await rest.put(Routes.guildMemberRole(G, BOB, LOW), { reason: 'reached 100 points' });
    await rest.put(Routes.guildMemberRole(G, BOB, LOW));
    expect(double.members.roles(BOB)).toContain(LOW);
    await rest.delete(Routes.guildMemberRole(G, BOB, LOW));
    expect(double.members.roles(BOB)).not.toContain(LOW);
    expect(double.roleChanges.map((c) => [c.action, c.changed, c.reason])).toEqual([
      ['add', true, 'reached 100 points'],
      ['add', false, null],
      ['remove', true, null],
    ]);
  });

  it('refuses a role at or above the bot highest role, and any role without Manage Roles (403 50013)', async () => {
    const before = double.roleChanges.length;
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, HIGH)))).toEqual({ status: 403, code: 50013 });
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, BOT_ROLE)))).toEqual({ status: 403, code: 50013 });
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, '919999999999999999')))).toEqual({ status: 404, code: 10011 });
    expect(double.members.roles(BOB)).toEqual([]);
    // Without Manage Roles even a low role is refused.
    double.state.guilds.get(G)!.roles.get(BOT_ROLE)!.permissions = '0';
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, LOW)))).toEqual({ status: 403, code: 50013 });
    double.state.guilds.get(G)!.roles.get(BOT_ROLE)!.permissions = String(PERMISSIONS.MANAGE_ROLES);
    expect(double.roleChanges.length).toBe(before);
  });

  it('answers 429 with Retry-After when told to, and @discordjs/rest retries the role change', async () => {
    const statuses: number[] = [];
    rest.on('response', (_req, res) => statuses.push(res.status));
    double.failRest({ path: /\/members\/\d+\/roles\/\d+$/, status: 429, retryAfterMs: 300, count: 1 });
    await rest.put(Routes.guildMemberRole(G, BOB, LOW));
    expect(statuses).toEqual([429, 204]);
    expect(double.members.roles(BOB)).toContain(LOW);
  });
});
