import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const ROLE = '112233445566778899';
const OTHER_ROLE = '998877665544332211';
const champion = { name: 'Champion', roleId: ROLE, condition: { type: 'points' as const, minPoints: 1000 } };

describe('role reward rules', () => {
  it('creates, lists, updates and deletes a rule, each audited; a no-op write is neither saved nor audited', async () => {
    const { stores, clock } = makeStores(server, NOW);
    const r = await stores.roleRewards.create({ ...champion, name: ' Champion ' }, 'admin:1');
    expect(r).toMatchObject({ name: 'Champion', roleId: ROLE, condition: { type: 'points', minPoints: 1000 }, removeWhenLost: false, enabled: true, createdAt: new Date(NOW).toISOString() });
    expect(r.id).toMatch(/^r[0-9a-z]{4,20}$/);
    expect(await stores.roleRewards.list()).toEqual([r]);

    clock.now = NOW + 1000;
    const u = await stores.roleRewards.update(r.id, { condition: { type: 'rank', board: 'week', top: 5 }, removeWhenLost: true }, 'admin:2');
    expect(u.changed).toBe(true);
    expect(u.rule).toMatchObject({ condition: { type: 'rank', board: 'week', top: 5 }, removeWhenLost: true, createdAt: r.createdAt, updatedAt: new Date(NOW + 1000).toISOString() });
    // the same content again (keys in another order): nothing written
    clock.now = NOW + 2000;
    const again = await stores.roleRewards.update(r.id, { name: 'Champion', condition: { top: 5, board: 'week', type: 'rank' } }, 'admin:2');
    expect(again.changed).toBe(false);
    expect((await stores.roleRewards.get(r.id))!.updatedAt).toBe(new Date(NOW + 1000).toISOString());

    expect(await stores.roleRewards.delete(r.id, 'admin:3')).toBe(0);
    expect(await stores.roleRewards.get(r.id)).toBeNull();
    expect(await stores.roleRewards.list()).toEqual([]);
    await expect(stores.roleRewards.delete(r.id, 'admin:3')).rejects.toBeInstanceOf(NotFoundError);

    const audit = (await stores.audit.list({ filter: { target: `role-reward:${r.id}` } })).items;
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['role-reward.delete', 'admin:3'],
      ['role-reward.update', 'admin:2'],
      ['role-reward.create', 'admin:1'],
    ]);
    expect(audit[1]!.before).toMatchObject({ condition: { type: 'points', minPoints: 1000 }, removeWhenLost: false });
    expect(audit[1]!.after).toMatchObject({ condition: { type: 'rank', board: 'week', top: 5 }, removeWhenLost: true });
  });

  it('refuses bad rules with the field named, and a season that does not exist', async () => {
    const { stores } = makeStores(server, NOW);
    await expect(stores.roleRewards.create({ ...champion, condition: { type: 'points', minPoints: 0 } }, 'a')).rejects.toThrow(/condition.minPoints/);
    await expect(stores.roleRewards.create({ ...champion, condition: { type: 'rank', board: 'season', top: 101 } }, 'a')).rejects.toThrow(/condition.top/);
    await expect(stores.roleRewards.create({ ...champion, roleId: '12' }, 'a')).rejects.toThrow(/roleId/);
    await expect(stores.roleRewards.create({ ...champion, condition: { type: 'rank', board: 'season', top: 3, seasonId: 'snope1234' } }, 'a')).rejects.toThrow(/no season snope1234/);
    await expect(stores.roleRewards.create({ ...champion, condition: { type: 'rank', board: 'season', top: 3, seasonId: 'snope1234' } }, 'a')).rejects.toBeInstanceOf(ValidationError);
    expect(await stores.roleRewards.list()).toEqual([]);
    const season = await stores.seasons.create({ name: 'S1', startsAt: NOW, endsAt: NOW + 10 * DAY }, 'a');
    const r = await stores.roleRewards.create({ ...champion, condition: { type: 'rank', board: 'season', top: 3, seasonId: season.id } }, 'a');
    expect(r.condition).toEqual({ type: 'rank', board: 'season', top: 3, seasonId: season.id });
    await expect(stores.roleRewards.update('rnope1234', { name: 'x' }, 'a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rules of one role must agree on removeWhenLost, even when two admins race', async () => {
    const { stores } = makeStores(server, NOW);
    const a = await stores.roleRewards.create({ ...champion, removeWhenLost: true }, 'admin:1');
    // same role, same removeWhenLost: fine (points OR rank)
    await stores.roleRewards.create({ ...champion, name: 'Top 10', condition: { type: 'rank', board: 'week', top: 10 }, removeWhenLost: true }, 'admin:1');
    await expect(stores.roleRewards.create({ ...champion, name: 'Keeper', removeWhenLost: false }, 'admin:1')).rejects.toThrow(/rules of one role must agree/);
    await expect(stores.roleRewards.update(a.id, { removeWhenLost: false }, 'admin:1')).rejects.toBeInstanceOf(ConflictError);
    // a new role: ten admins save contradicting rules at once, one kind wins
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => stores.roleRewards.create({ ...champion, roleId: OTHER_ROLE, name: `R${i}`, removeWhenLost: i % 2 === 0 }, 'admin:1')),
    );
    const saved = (await stores.roleRewards.list()).filter((r) => r.roleId === OTHER_ROLE);
    expect(saved.length).toBeGreaterThanOrEqual(1);
    expect(new Set(saved.map((r) => r.removeWhenLost)).size).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(saved.length);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
  });

  it('records grants and removals once each, audited with the reason; counts holders; statuses follow the bot', async () => {
    const { stores, clock } = makeStores(server, NOW);
    const r = await stores.roleRewards.create({ ...champion, removeWhenLost: true }, 'admin:1');
    expect(await stores.roleRewards.status(r.id)).toEqual({ ruleId: r.id, state: 'never_synced', holders: 0 });

    // racing bot replicas record the same grant: one change, one audit entry
    const granted = await Promise.all([1, 2, 3, 4].map(() => stores.roleRewards.recordGranted(r.id, 'm1', 'bot', '1000 all-time points')));
    expect(granted.filter(Boolean)).toHaveLength(1);
    clock.now = NOW + 5000;
    expect(await stores.roleRewards.recordGranted(r.id, 'm2')).toBe(true);
    expect(await stores.roleRewards.holders(r.id)).toEqual(['m1', 'm2']);
    expect(await stores.roleRewards.recordRemoved(r.id, 'm3')).toBe(false); // never granted: nothing to record
    expect(await stores.roleRewards.recordRemoved(r.id, 'm1', 'bot', 'fell below 1000 points')).toBe(true);
    expect(await stores.roleRewards.holders(r.id)).toEqual(['m2']);

    const m1 = (await stores.audit.list({ filter: { target: 'member:m1' } })).items;
    expect(m1.map((a) => a.action)).toEqual(['role-reward.remove', 'role-reward.grant']);
    expect(m1[1]).toMatchObject({ actor: 'bot', after: { ruleId: r.id, roleId: ROLE, discordId: 'm1', reason: '1000 all-time points' } });
    expect(m1[0]).toMatchObject({ before: { ruleId: r.id, roleId: ROLE, discordId: 'm1', reason: 'fell below 1000 points' } });
    expect((await stores.audit.list({ filter: { action: 'role-reward.' } })).total).toBe(4); // create, 2 grants, 1 removal

    clock.now = NOW + 60_000;
    await stores.roleRewards.setStatus(r.id, { state: 'problem', problem: 'role_above_bot', message: 'The bot’s highest role is below @Champion.' });
    expect(await stores.roleRewards.statuses()).toEqual([
      { ruleId: r.id, state: 'problem', problem: 'role_above_bot', message: 'The bot’s highest role is below @Champion.', lastSyncAt: new Date(NOW + 60_000).toISOString(), holders: 1, lastChangeAt: new Date(NOW + 5000).toISOString() },
    ]);
    clock.now = NOW + 120_000;
    await stores.roleRewards.setStatus(r.id, { state: 'ok' });
    expect(await stores.roleRewards.status(r.id)).toEqual({ ruleId: r.id, state: 'ok', lastSyncAt: new Date(NOW + 120_000).toISOString(), holders: 1, lastChangeAt: new Date(NOW + 5000).toISOString() });
  });

  it('a rule with holders keeps its role; deleting it leaves no holders, status or pending grants behind; a deleted rule takes no more records', async () => {
    const { stores, redis } = makeStores(server, NOW);
    const r = await stores.roleRewards.create(champion, 'admin:1');
    await stores.roleRewards.recordGranted(r.id, 'm1');
    await expect(stores.roleRewards.update(r.id, { roleId: OTHER_ROLE }, 'admin:1')).rejects.toThrow(/make a new rule/);
    await stores.roleRewards.setStatus(r.id, { state: 'ok' });
    const k = stores.keys;
    await redis.zadd(k.roleRulePending(r.id), NOW, 'm3'); // the bot's note of a grant in flight
    expect(await stores.roleRewards.delete(r.id, 'admin:1')).toBe(1);
    expect(await redis.exists(k.roleRule(r.id), k.roleRuleHolders(r.id), k.roleRuleStatus(r.id), k.roleRulePending(r.id))).toBe(0);
    expect(await redis.hlen(k.roleRuleRoles())).toBe(0);
    await expect(stores.roleRewards.recordGranted(r.id, 'm2')).rejects.toBeInstanceOf(NotFoundError);
    await stores.roleRewards.setStatus(r.id, { state: 'ok' });
    expect(await redis.exists(k.roleRuleStatus(r.id))).toBe(0);
    // a rule without holders may change its role
    const s = await stores.roleRewards.create(champion, 'admin:1');
    expect((await stores.roleRewards.update(s.id, { roleId: OTHER_ROLE }, 'admin:1')).rule.roleId).toBe(OTHER_ROLE);
  });

  it('keeps the guild roles the bot last published, for the console picker', async () => {
    const { stores, clock } = makeStores(server, NOW);
    expect(await stores.roleRewards.guildRoles()).toBeNull();
    const roles = [
      { id: '900000000000000001', name: '@everyone', position: 0, managed: false, problem: 'everyone_role' as const },
      { id: ROLE, name: 'Champion', position: 3, managed: false },
      { id: OTHER_ROLE, name: 'Server Booster', position: 2, managed: true, problem: 'role_managed_by_integration' as const },
    ];
    await stores.roleRewards.setGuildRoles({ guildId: '900000000000000001', roles });
    clock.now = NOW + 1000;
    await stores.roleRewards.setGuildRoles({ guildId: '900000000000000001', roles: [...roles.slice(0, 2), { ...roles[1]!, id: '777777777777777777', name: 'x'.repeat(300) }] });
    const got = await stores.roleRewards.guildRoles();
    expect(got).toMatchObject({ guildId: '900000000000000001', at: new Date(NOW + 1000).toISOString() });
    expect(got!.roles.map((r) => r.id)).toEqual(['900000000000000001', ROLE, '777777777777777777']);
    expect(got!.roles[0]!.problem).toBe('everyone_role');
    expect(got!.roles[1]).toEqual({ id: ROLE, name: 'Champion', position: 3, managed: false });
    expect(got!.roles[2]!.name).toHaveLength(100);
    expect((await stores.audit.list()).total).toBe(0);
  });
});
