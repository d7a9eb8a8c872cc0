import { describe, expect, it } from 'vitest';
import { desiredHolders, planRoleChanges, type BoardEntry, type RoleRewardCondition, type RoleRewardRule } from '../src/domain';
import { roleRewardInputSchema } from '../src/domain/role-reward-input';

const entries = (o: Record<string, number>): BoardEntry[] =>
  Object.entries(o)
    .map(([discordId, points]) => ({ discordId, points }))
    .sort((a, b) => b.points - a.points);
const sorted = (s: Set<string>) => [...s].sort();

describe('desiredHolders', () => {
  const allTime = entries({ a: 500, b: 100, c: 99, d: 1, e: 0 });
  const board = entries({ a: 50, b: 40, c: 30, d: 20, z: 0 });
  const cases: Array<{ name: string; condition: RoleRewardCondition; enabled?: boolean; excluded?: string[]; want: string[] }> = [
    { name: 'points: at or above the threshold', condition: { type: 'points', minPoints: 100 }, want: ['a', 'b'] },
    { name: 'points: threshold 1 leaves out members at 0', condition: { type: 'points', minPoints: 1 }, want: ['a', 'b', 'c', 'd'] },
    { name: 'points: nobody high enough', condition: { type: 'points', minPoints: 501 }, want: [] },
    { name: 'points: banned members are left out', condition: { type: 'points', minPoints: 1 }, excluded: ['a', 'd'], want: ['b', 'c'] },
    { name: 'rank: the top 2 of the board', condition: { type: 'rank', board: 'season', top: 2 }, want: ['a', 'b'] },
    { name: 'rank: top larger than the board, nobody at 0 points', condition: { type: 'rank', board: 'week', top: 10 }, want: ['a', 'b', 'c', 'd'] },
    { name: 'rank: a banned member does not take a place', condition: { type: 'rank', board: 'week', top: 2 }, excluded: ['a'], want: ['b', 'c'] },
    { name: 'a disabled rule wants nobody', condition: { type: 'points', minPoints: 1 }, enabled: false, want: [] },
  ];
  it.each(cases)('$name', ({ condition, enabled, excluded, want }) => {
    const got = desiredHolders({ condition, enabled: enabled ?? true }, { allTime, board, ...(excluded ? { excluded: new Set(excluded) } : {}) });
    expect(sorted(got)).toEqual(want);
  });

  it('reads the all-time facts for a points rule and the board for a rank rule, never the other', () => {
    expect(sorted(desiredHolders({ condition: { type: 'points', minPoints: 1 }, enabled: true }, { board }))).toEqual([]);
    expect(sorted(desiredHolders({ condition: { type: 'rank', board: 'season', top: 3 }, enabled: true }, { allTime }))).toEqual([]);
  });
});

type R = Pick<RoleRewardRule, 'id' | 'roleId' | 'removeWhenLost' | 'enabled'>;
const rule = (id: string, roleId: string, removeWhenLost = true, enabled = true): R => ({ id, roleId, removeWhenLost, enabled });
const sets = (o: Record<string, string[]>) => new Map(Object.entries(o).map(([k, v]) => [k, new Set(v)]));
const fmt = (xs: Array<{ ruleId: string; roleId: string; discordId: string }>) => xs.map((x) => `${x.ruleId}/${x.roleId}/${x.discordId}`);

describe('planRoleChanges', () => {
  const cases: Array<{
    name: string;
    rules: R[];
    desired: Record<string, string[]>;
    current: Record<string, string[]>;
    holding?: Record<string, string[]>;
    add: string[];
    remove: string[];
  }> = [
    {
      name: 'grants the newly qualified, removes the lost (removeWhenLost), keeps the rest',
      rules: [rule('r1', 'R')],
      desired: { r1: ['a', 'b'] },
      current: { r1: ['b', 'c'] },
      add: ['r1/R/a'],
      remove: ['r1/R/c'],
    },
    {
      name: 'without removeWhenLost nothing is removed',
      rules: [rule('r1', 'R', false)],
      desired: { r1: [] },
      current: { r1: ['b', 'c'] },
      add: [],
      remove: [],
    },
    {
      name: 'already in sync: nothing to do (idempotent)',
      rules: [rule('r1', 'R'), rule('r2', 'S')],
      desired: { r1: ['a'], r2: ['b'] },
      current: { r1: ['a'], r2: ['b'] },
      add: [],
      remove: [],
    },
    {
      name: 'a disabled rule neither grants nor removes',
      rules: [rule('r1', 'R', true, false)],
      desired: { r1: ['a'] },
      current: { r1: ['c'] },
      add: [],
      remove: [],
    },
    {
      name: 'never removes a role another enabled rule of the same role still wants',
      rules: [rule('r1', 'R'), rule('r2', 'R')],
      desired: { r1: [], r2: ['c'] },
      current: { r1: ['c', 'd'], r2: [] },
      add: [],
      remove: ['r1/R/d'],
    },
    {
      name: 'but a disabled rule of the same role does not keep it',
      rules: [rule('r1', 'R'), rule('r2', 'R', true, false)],
      desired: { r1: [], r2: ['c'] },
      current: { r1: ['c'] },
      add: [],
      remove: ['r1/R/c'],
    },
    {
      name: 'two rules of one role wanting one member: one grant, and none when a rule of the role already manages it',
      rules: [rule('r2', 'R'), rule('r1', 'R')],
      desired: { r1: ['a', 'b'], r2: ['a', 'b', 'c'] },
      current: { r2: ['b'] },
      add: ['r1/R/a', 'r2/R/c'],
      remove: [],
    },
    {
      name: 'never takes over a role a human gave (the member has it, no rule manages it)',
      rules: [rule('r1', 'R')],
      desired: { r1: ['a', 'h'] },
      current: { r1: [] },
      holding: { R: ['h'] },
      add: ['r1/R/a'],
      remove: [],
    },
    {
      name: 'only removes members the bot granted, never those it does not manage',
      rules: [rule('r1', 'R')],
      desired: { r1: [] },
      current: {},
      holding: { R: ['h', 'i'] },
      add: [],
      remove: [],
    },
    {
      name: 'rules of different roles are independent',
      rules: [rule('r1', 'R'), rule('r2', 'S')],
      desired: { r1: ['a'], r2: [] },
      current: { r1: [], r2: ['a'] },
      add: ['r1/R/a'],
      remove: ['r2/S/a'],
    },
  ];
  it.each(cases)('$name', ({ rules, desired, current, holding, add, remove }) => {
    const plan = planRoleChanges({ rules, desired: sets(desired), current: sets(current), ...(holding ? { holding: sets(holding) } : {}) });
    expect(fmt(plan.add)).toEqual(add);
    expect(fmt(plan.remove)).toEqual(remove);
  });

  it('applying the plan and planning again gives nothing to do', () => {
    const rules = [rule('r1', 'R'), rule('r2', 'R'), rule('r3', 'S', false)];
    const desired = sets({ r1: ['a', 'b'], r2: ['b', 'c'], r3: ['d'] });
    const current = sets({ r1: ['x', 'b'], r2: ['y'], r3: ['z'] });
    const plan = planRoleChanges({ rules, desired, current });
    for (const c of plan.add) (current.get(c.ruleId) ?? current.set(c.ruleId, new Set()).get(c.ruleId)!).add(c.discordId);
    for (const c of plan.remove) current.get(c.ruleId)!.delete(c.discordId);
    expect(planRoleChanges({ rules, desired, current })).toEqual({ add: [], remove: [] });
    expect(sorted(current.get('r3')!)).toEqual(['d', 'z']);
  });
});

describe('roleRewardInputSchema', () => {
  const ok = { name: ' Champion ', roleId: '123456789012345678', condition: { type: 'points', minPoints: 1000 } };
  it('accepts a rule, trims the name, defaults removeWhenLost off and enabled on', () => {
    expect(roleRewardInputSchema.parse(ok)).toEqual({ name: 'Champion', roleId: '123456789012345678', condition: { type: 'points', minPoints: 1000 }, removeWhenLost: false, enabled: true });
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['minPoints below 1', { ...ok, condition: { type: 'points', minPoints: 0 } }, /at least 1/],
    ['fractional minPoints', { ...ok, condition: { type: 'points', minPoints: 1.5 } }, /whole number/],
    ['top 0', { ...ok, condition: { type: 'rank', board: 'week', top: 0 } }, /1 to 100/],
    ['top 101', { ...ok, condition: { type: 'rank', board: 'season', top: 101 } }, /1 to 100/],
    ['unknown board', { ...ok, condition: { type: 'rank', board: 'month', top: 3 } }, /season.*week/],
    ['a season on the week board', { ...ok, condition: { type: 'rank', board: 'week', top: 3, seasonId: 'sabcd1234' } }, /only for the season board/],
    ['a role id that is not a snowflake', { ...ok, roleId: '@Champion' }, /role id/],
    ['an empty name', { ...ok, name: '  ' }, /name is required/],
    ['an unknown field', { ...ok, colour: 'red' }, /colour/],
    ['points as a string', { ...ok, condition: { type: 'points', minPoints: '10' } }, /number/],
  ];
  it.each(bad)('refuses %s', (_name, input, message) => {
    const r = roleRewardInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});
