import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { PERMISSIONS, startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';

const G = '900000000000000001';
const BOT_ROLE = '910000000000000001';
const LOW = '910000000000000002';
const HIGH = '910000000000000003';
const BOB = '920000000000000002';
const MANAGED = '910000000000000004';

let double: DiscordDouble;
let rest: REST;

beforeAll(async () => {
  double = await startDiscordDouble({
    guilds: [
      {
        id: G,
        // positions follow the order: MANAGED (1) < LOW (2) < bot role (3) < HIGH (4)
        roles: [
          { id: MANAGED, name: 'Server Booster', managed: true },
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
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, G)))).toEqual({ status: 404, code: 10011 });
    // A role managed by an integration cannot be given even though it sits below the bot's role.
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, MANAGED)))).toEqual({ status: 403, code: 50013 });
    expect(await refusal(rest.put(Routes.guildMemberRole(G, '929999999999999999', LOW)))).toEqual({ status: 404, code: 10007 });
    expect(await refusal(rest.put(Routes.guildMemberRole(G, BOB, LOW), { reason: 'x'.repeat(513) }))).toEqual({ status: 400, code: 50035 });
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

  it('keeps a per-guild bucket on the member-role routes: X-RateLimit headers on every answer, 429 past the limit', async () => {
    const limited = await startDiscordDouble({
      memberRoleRateLimit: { limit: 3, windowMs: 1500 },
      guilds: [{ id: G, roles: [{ id: LOW, name: 'Contributor' }, { id: BOT_ROLE, name: 'Bot', permissions: PERMISSIONS.MANAGE_ROLES }], members: [{ id: BOB, username: 'bob' }], botRoles: [BOT_ROLE] }],
    });
    try {
      const at = (i: number) => fetch(`${limited.url}/v10/guilds/${G}/members/${BOB}/roles/${LOW}`, { method: i % 2 ? 'DELETE' : 'PUT', headers: { authorization: `Bot ${limited.botToken}` } });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await at(i));
      expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 429]);
      expect(answers.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      expect(answers[0]!.headers.get('x-ratelimit-bucket')).toBe(answers[1]!.headers.get('x-ratelimit-bucket'));
      const body = (await answers[3]!.json()) as { retry_after: number; global: boolean };
      expect(body.global).toBe(false);
      expect(body.retry_after).toBeGreaterThan(0);
      expect(limited.rateLimited).toHaveLength(1);
      // @discordjs/rest reads the headers and waits for the bucket to reset instead of running into it.
      await new Promise((r) => setTimeout(r, 1600));
      const client = new REST({ api: limited.url }).setToken(limited.botToken);
      const statuses: number[] = [];
      client.on('response', (_req, res) => statuses.push(res.status));
      for (let i = 0; i < 7; i++) await client.put(Routes.guildMemberRole(G, BOB, LOW), { reason: `change ${i}` });
      expect(statuses.every((s) => s === 204)).toBe(true);
      expect(limited.rateLimited).toHaveLength(1);
      expect(limited.roleChanges.filter((c) => c.reason?.startsWith('change '))).toHaveLength(7);
    } finally {
      await limited.close();
    }
  }, 60_000);

  it('sends role events to every bot but member events only to bots with the GUILD_MEMBERS intent', async () => {
    const seen: Record<string, string[]> = { plain: [], members: [] };
    const sockets = await Promise.all(
      (['plain', 'members'] as const).map(async (who) => {
        const ws = new WebSocket(`${double.origin.replace(/^http/, 'ws')}/?v=10&encoding=json`);
        ws.addEventListener('message', (ev) => {
          const msg = JSON.parse(String(ev.data)) as { op: number; t?: string };
          if (msg.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: double.botToken, intents: who === 'plain' ? 1 : 3, properties: {} } }));
          if (msg.op === 0 && msg.t) seen[who]!.push(msg.t);
        });
        await new Promise((r) => ws.addEventListener('open', r));
        return ws;
      }),
    );
    await expect.poll(() => seen.plain!.includes('GUILD_CREATE') && seen.members!.includes('GUILD_CREATE'), { timeout: 10_000 }).toBe(true);
    double.roles.update(HIGH, { name: 'Legends' });
    double.members.setRoles(BOB, [LOW]);
    await expect.poll(() => seen.members!.includes('GUILD_MEMBER_UPDATE'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => seen.plain!.includes('GUILD_ROLE_UPDATE'), { timeout: 10_000 }).toBe(true);
    expect(seen.plain).not.toContain('GUILD_MEMBER_UPDATE');
    for (const ws of sockets) ws.close();
  }, 30_000);
});
