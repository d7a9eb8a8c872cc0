import { Router } from 'express';
import { z } from 'zod';
import {
  NotFoundError,
  ROLE_ID_RE,
  ROLE_REWARD_LIMITS,
  ROLE_RULE_ID_RE,
  SEASON_ID_RE,
  type RoleRewardInput,
  type RoleRewardRule,
  type RoleRuleStatus,
  type Stores,
} from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { text, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const ruleId = z.string().regex(ROLE_RULE_ID_RE, 'must be a role reward rule id (e.g. rmi3k2x0abcdef)');
const whole = (r: { min: number; max: number }, what: string) =>
  z.number({ message: `${what} must be a number` }).int(`${what} must be a whole number`).min(r.min, `${what} must be ${r.min} to ${r.max}`).max(r.max, `${what} must be ${r.min} to ${r.max}`);

const condition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('points'), minPoints: whole(ROLE_REWARD_LIMITS.minPoints, 'minPoints') }),
  z.strictObject({
    type: z.literal('rank'),
    board: z.enum(['season', 'week'], { message: 'board must be "season" or "week"' }),
    top: whole(ROLE_REWARD_LIMITS.top, 'top'),
    // null or absent: the season running at the time
    seasonId: z.string().regex(SEASON_ID_RE, 'must be a season id').nullable().optional(),
  }),
], { message: 'condition.type must be "points" or "rank"' });

const fields = {
  name: text({ min: 1, max: ROLE_REWARD_LIMITS.nameMax, what: 'name' }),
  roleId: z.string().regex(ROLE_ID_RE, 'must be a Discord role id (17-20 digits: Server Settings → Roles → right-click → Copy Role ID)'),
  condition,
  removeWhenLost: z.boolean(),
  enabled: z.boolean(),
};
// react-admin sends the whole record on edit: read-only fields are accepted and ignored.
const readOnly = { id: z.string().optional(), createdAt: z.string().optional(), updatedAt: z.string().optional(), status: z.looseObject({}).optional() };
const STATES = ['ok', 'problem', 'never_synced'] as const;

const routes = {
  list: {
    query: listQuery(
      z.strictObject({ id: idsFilter(ruleId), roleId: z.string().regex(ROLE_ID_RE).optional(), enabled: z.boolean().optional(), state: z.enum(STATES).optional() }),
      ['id', 'name', 'roleId', 'createdAt', 'updatedAt'],
    ),
  },
  show: { params: z.strictObject({ id: ruleId }) },
  create: { body: z.strictObject({ ...fields, removeWhenLost: fields.removeWhenLost.optional(), enabled: fields.enabled.optional() }) },
  update: { params: z.strictObject({ id: ruleId }), body: z.strictObject({ ...readOnly, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) }) },
  remove: { params: z.strictObject({ id: ruleId }) },
  discordRoles: { query: listQuery(z.strictObject({}), ['position', 'name']) },
};

/** A rule as the console shows it: the rule and what the bot last found applying it. */
export type RoleRewardRecord = RoleRewardRule & { status: Omit<RoleRuleStatus, 'ruleId'> };

function toInput(body: Record<string, unknown>): Partial<RoleRewardInput> {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'roleId', 'removeWhenLost', 'enabled'] as const) if (body[k] !== undefined) out[k] = body[k];
  const c = body.condition as Record<string, unknown> | undefined;
  if (c) out.condition = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));
  return out as Partial<RoleRewardInput>;
}

async function withStatus(stores: Stores, rules: RoleRewardRule[]): Promise<RoleRewardRecord[]> {
  const statuses = await stores.roleRewards.statusesOf(rules.map((r) => r.id));
  return rules.map((r, i) => {
    const { ruleId: _ignored, ...status } = statuses[i]!;
    return { ...r, status };
  });
}

async function one(stores: Stores, id: string): Promise<RoleRewardRecord> {
  const rule = await stores.roleRewards.get(id);
  if (!rule) throw new NotFoundError(`No role reward rule ${id}`);
  return (await withStatus(stores, [rule]))[0]!;
}

const by = (k: 'id' | 'name' | 'roleId' | 'createdAt' | 'updatedAt') => (a: RoleRewardRule, b: RoleRewardRule) => a[k].localeCompare(b[k]);

/** Role rewards: rules the bot applies to give Discord roles for points or rank, each with its sync status. */
export function roleRewardsRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    let all = await withStatus(stores, await stores.roleRewards.list());
    const f = q.filter;
    all = all.filter((x) => (!f.id || f.id.includes(x.id)) && (!f.roleId || x.roleId === f.roleId) && (f.enabled === undefined || x.enabled === f.enabled) && (!f.state || x.status.state === f.state));
    const sorted = [...all].sort(by((q.sort ?? 'createdAt') as Parameters<typeof by>[0]));
    if (q.order === 'DESC') sorted.reverse();
    sendPage(res, 'role-rewards', q.offset, sorted.slice(q.offset, q.offset + q.limit), sorted.length);
  });

  // The guild's roles as the bot last published them (the console's role picker; empty before the bot has).
  r.get('/discord-roles', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.discordRoles);
    const g = await stores.roleRewards.guildRoles();
    const roles = (g?.roles ?? []).map((role) => ({ ...role, everyone: role.id === g!.guildId }));
    const sorted = roles.sort(q.sort === 'name' ? (a, b) => a.name.localeCompare(b.name) : (a, b) => a.position - b.position);
    if (q.order === 'DESC') sorted.reverse();
    sendPage(res, 'discord-roles', q.offset, sorted.slice(q.offset, q.offset + q.limit), sorted.length);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    res.json(await one(stores, validate(req, routes.show).params.id));
  });

  r.post('/', requirePermission('rules:write'), async (req, res) => {
    const { body } = validate(req, routes.create);
    const rule = await stores.roleRewards.create(toInput(body), actorOf(req.principal!));
    res.status(201).json(await one(stores, rule.id));
  });

  r.put('/:id', requirePermission('rules:write'), async (req, res) => {
    const { params, body } = validate(req, routes.update);
    await stores.roleRewards.update(params.id, toInput(body), actorOf(req.principal!));
    res.json(await one(stores, params.id));
  });

  r.delete('/:id', requirePermission('rules:write'), async (req, res) => {
    const { id } = validate(req, routes.remove).params;
    const before = await one(stores, id);
    await stores.roleRewards.delete(id, actorOf(req.principal!));
    res.json(before);
  });

  return r;
}
