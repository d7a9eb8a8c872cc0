import { describe, expect, it } from 'vitest';
import { appWithAdminAndCore } from './app-harness';

const t = appWithAdminAndCore();

const ROLE = '112233445566778899';
type Rec = { id: string; name: string; roleId: string; enabled: boolean; removeWhenLost: boolean; condition: Record<string, unknown>; status: Record<string, unknown> };

describe('role-rewards resource (ra-data-simple-rest)', () => {
  it('creates, lists with status, edits and deletes rules; core reads only; every write audited', async () => {
    const created = await t.admin.fetch('/api/role-rewards', { method: 'POST', body: { name: 'Champion', roleId: ROLE, condition: { type: 'points', minPoints: 1000 } } });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as Rec;
    expect(rule).toMatchObject({ name: 'Champion', roleId: ROLE, enabled: true, removeWhenLost: false, status: { state: 'never_synced', holders: 0 } });

    // the bot reports a problem and grants the role to one member: the list shows both
    await t.app.stores.roleRewards.recordGranted(rule.id, '300000000000000001', 'bot', '1000 points');
    await t.app.stores.roleRewards.setStatus(rule.id, { state: 'problem', problem: 'role_above_bot', message: '@Champion is above the bot' });
    const list = await t.core.fetch('/api/role-rewards');
    expect(list.headers.get('content-range')).toBe('role-rewards 0-0/1');
    const [row] = (await list.json()) as Rec[];
    expect(row!.status).toMatchObject({ state: 'problem', problem: 'role_above_bot', message: '@Champion is above the bot', holders: 1 });
    expect(row!.status.lastSyncAt).toEqual(expect.any(String));
    expect((await t.core.fetch(`/api/role-rewards?filter=${encodeURIComponent(JSON.stringify({ state: 'problem' }))}`)).headers.get('content-range')).toBe('role-rewards 0-0/1');
    expect((await t.core.fetch(`/api/role-rewards?filter=${encodeURIComponent(JSON.stringify({ state: 'ok' }))}`)).headers.get('content-range')).toBe('role-rewards 0-0/0');

    // core may read but not write
    expect((await t.core.fetch(`/api/role-rewards/${rule.id}`)).status).toBe(200);
    expect((await t.core.fetch('/api/role-rewards', { method: 'POST', body: { name: 'x', roleId: ROLE, condition: { type: 'points', minPoints: 1 } } })).status).toBe(403);
    expect((await t.core.fetch(`/api/role-rewards/${rule.id}`, { method: 'DELETE' })).status).toBe(403);

    // react-admin's edit sends the whole record back, with the status; a null seasonId means the running season
    const record = (await (await t.admin.fetch(`/api/role-rewards/${rule.id}`)).json()) as Rec;
    const put = await t.admin.fetch(`/api/role-rewards/${rule.id}`, { method: 'PUT', body: { ...record, condition: { type: 'rank', board: 'season', top: 10, seasonId: null }, removeWhenLost: true } });
    expect(put.status).toBe(200);
    expect((await put.json()) as Rec).toMatchObject({ condition: { type: 'rank', board: 'season', top: 10 }, removeWhenLost: true, status: { holders: 1 } });

    // another rule of the same role that keeps the role when lost contradicts it: 409 naming the rule
    const clash = await t.admin.fetch('/api/role-rewards', { method: 'POST', body: { name: 'Keeper', roleId: ROLE, condition: { type: 'points', minPoints: 5 }, removeWhenLost: false } });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { message: string }).message).toMatch(/Rule "Champion" rewards the same role/);
    // the rule has a holder: its role cannot change
    expect((await t.admin.fetch(`/api/role-rewards/${rule.id}`, { method: 'PUT', body: { roleId: '998877665544332211' } })).status).toBe(409);

    const del = await t.admin.fetch(`/api/role-rewards/${rule.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(((await del.json()) as Rec).id).toBe(rule.id);
    expect((await t.admin.fetch(`/api/role-rewards/${rule.id}`)).status).toBe(404);
    const actions = (await t.app.stores.audit.list({ filter: { action: 'role-reward.' } })).items.map((a) => [a.action, a.actor]);
    expect(actions.map(([a]) => a)).toEqual(['role-reward.delete', 'role-reward.update', 'role-reward.grant', 'role-reward.create']);
    expect(actions[0]![1]).toMatch(/^discord:\d+$/);
    expect(actions[2]![1]).toBe('bot');
  });

  it('sorts and pages like the other resources', async () => {
    for (const name of ['b', 'c', 'a']) {
      const res = await t.admin.fetch('/api/role-rewards', { method: 'POST', body: { name: `sort ${name}`, roleId: `4000000000000000${name.charCodeAt(0)}`, condition: { type: 'points', minPoints: 10 } } });
      expect(res.status).toBe(201);
    }
    const q = `sort=${encodeURIComponent('["name","ASC"]')}&range=${encodeURIComponent('[0,1]')}&filter=${encodeURIComponent('{"enabled":true}')}`;
    const res = await t.core.fetch(`/api/role-rewards?${q}`);
    expect(res.headers.get('content-range')).toMatch(/^role-rewards 0-1\/\d+$/);
    expect(((await res.json()) as Rec[]).map((r) => r.name)).toEqual(['sort a', 'sort b']);
  });

  it.each([
    [{ name: 'x', roleId: ROLE, condition: { type: 'points', minPoints: 0 } }, /minPoints/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'points', minPoints: 2.5 } }, /whole number/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'rank', board: 'week', top: 101 } }, /top must be 1 to 100/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'rank', board: 'month', top: 3 } }, /board/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'rank', board: 'week', top: 3, seasonId: 'sabcd1234' } }, /only for the season board/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'rank', board: 'season', top: 3, seasonId: 'sabcd1234' } }, /no season sabcd1234/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'levels', minPoints: 3 } }, /condition/],
    [{ name: 'x', roleId: '@Champion', condition: { type: 'points', minPoints: 3 } }, /roleId/],
    [{ name: 'a\u0000b', roleId: ROLE, condition: { type: 'points', minPoints: 3 } }, /control/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'points', minPoints: 3 }, enabled: 'yes' }, /enabled/],
    [{ name: 'x', roleId: ROLE, condition: { type: 'points', minPoints: 3 }, holders: ['1'] }, /holders|Unrecognized/i],
  ])('refuses %j with a 400 naming the problem', async (body, reason) => {
    const res = await t.admin.fetch('/api/role-rewards', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(reason);
  });

  it('lists the guild roles the bot published, highest first for the picker; empty before it has', async () => {
    const q = `sort=${encodeURIComponent('["position","DESC"]')}&range=${encodeURIComponent('[0,99]')}`;
    const empty = await t.core.fetch(`/api/role-rewards/discord-roles?${q}`);
    expect(empty.headers.get('content-range')).toBe('discord-roles 0-0/0');
    expect(await empty.json()).toEqual([]);
    await t.app.stores.roleRewards.setGuildRoles({
      guildId: '500000000000000000',
      roles: [
        { id: '500000000000000000', name: '@everyone', position: 0, managed: false, problem: 'everyone_role' },
        { id: ROLE, name: 'Champion', position: 4, managed: false, problem: 'role_above_bot' },
        { id: '500000000000000002', name: 'Regular', position: 2, managed: false },
      ],
    });
    const res = await t.core.fetch(`/api/role-rewards/discord-roles?${q}`);
    expect(res.headers.get('content-range')).toBe('discord-roles 0-2/3');
    expect(await res.json()).toEqual([
      { id: ROLE, name: 'Champion', position: 4, managed: false, problem: 'role_above_bot', everyone: false },
      { id: '500000000000000002', name: 'Regular', position: 2, managed: false, everyone: false },
      { id: '500000000000000000', name: '@everyone', position: 0, managed: false, problem: 'everyone_role', everyone: true },
    ]);
    expect((await t.core.fetch(`/api/role-rewards/discord-roles?filter=${encodeURIComponent('{"x":1}')}`)).status).toBe(400);
  });
});
