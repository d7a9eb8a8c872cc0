import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, SEASON_ID_RE, SEASON_LIMITS, type Season, type SeasonSpec, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { text, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const seasonId = z.string().regex(SEASON_ID_RE, 'must be a season id (e.g. smi3k2x0abcd)');
// 2000-01-01 to 2100-01-01: what a season date can sensibly be.
const time = z.number().int().min(946_684_800_000).max(4_102_444_800_000);
const whole = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max);
const category = text({ min: 1, max: 40, what: 'category' });

const fields = {
  name: text({ min: 1, max: SEASON_LIMITS.nameMax, what: 'name' }),
  startsAt: time,
  endsAt: time,
  multiplierPct: whole(SEASON_LIMITS.multiplierPct).nullable(),
  capPerPost: whole(SEASON_LIMITS.cap).nullable(),
  capPerDay: whole(SEASON_LIMITS.cap).nullable(),
  categories: z.array(category).max(SEASON_LIMITS.categoriesMax),
  rewardTop: whole(SEASON_LIMITS.rewardTop).nullable(),
};
// react-admin sends the whole record on edit: read-only fields are accepted and ignored.
const readOnly = { id: z.string().optional(), status: z.string().optional(), createdAt: z.number().optional(), updatedAt: z.number().optional() };

/** One schema per route: path id, query and body. */
const routes = {
  list: { query: listQuery(z.strictObject({ id: idsFilter(seasonId), status: z.enum(['scheduled', 'running', 'ended']).optional() }), ['id', 'startsAt', 'endsAt', 'name']) },
  show: { params: z.strictObject({ id: seasonId }) },
  create: {
    body: z.strictObject({
      name: fields.name,
      startsAt: fields.startsAt,
      endsAt: fields.endsAt,
      multiplierPct: fields.multiplierPct.optional(),
      capPerPost: fields.capPerPost.optional(),
      capPerDay: fields.capPerDay.optional(),
      categories: fields.categories.optional(),
      rewardTop: fields.rewardTop.optional(),
    }),
  },
  update: {
    params: z.strictObject({ id: seasonId }),
    body: z.strictObject({ ...readOnly, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) }),
  },
  remove: { params: z.strictObject({ id: seasonId }) },
};

/** Absent keeps, null clears (back to no cap, ×1, no reward zone). */
function toSpec(body: Record<string, unknown>): Partial<SeasonSpec> {
  const out: Partial<SeasonSpec> = {};
  for (const k of ['name', 'startsAt', 'endsAt', 'categories'] as const) if (body[k] !== undefined) (out as Record<string, unknown>)[k] = body[k];
  for (const k of ['multiplierPct', 'capPerPost', 'capPerDay', 'rewardTop'] as const) {
    if (body[k] === null) (out as Record<string, unknown>)[k] = k === 'multiplierPct' ? 100 : undefined;
    else if (body[k] !== undefined) (out as Record<string, unknown>)[k] = body[k];
  }
  return out;
}

const SORTERS: Record<string, (a: Season, b: Season) => number> = {
  id: (a, b) => a.id.localeCompare(b.id),
  name: (a, b) => a.name.localeCompare(b.name),
  startsAt: (a, b) => a.startsAt - b.startsAt,
  endsAt: (a, b) => a.endsAt - b.endsAt,
};

/** Seasons: a start, an end, a multiplier, caps, categories and a reward zone; their boards are on /leaderboard. */
export function seasonsRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    let all = await stores.seasons.list();
    if (q.filter.id) all = all.filter((s) => q.filter.id!.includes(s.id));
    if (q.filter.status) all = all.filter((s) => s.status === q.filter.status);
    const sorted = [...all].sort(SORTERS[q.sort ?? 'startsAt']);
    if (q.order === 'DESC') sorted.reverse();
    sendPage(res, 'seasons', q.offset, sorted.slice(q.offset, q.offset + q.limit), sorted.length);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const s = await stores.seasons.get(id);
    if (!s) throw new NotFoundError(`No season ${id}`);
    res.json(s);
  });

  r.post('/', requirePermission('rules:write'), async (req, res) => {
    const { body } = validate(req, routes.create);
    const spec = toSpec(body) as SeasonSpec;
    res.status(201).json(await stores.seasons.create(spec, actorOf(req.principal!)));
  });

  r.put('/:id', requirePermission('rules:write'), async (req, res) => {
    const { params, body } = validate(req, routes.update);
    const { season } = await stores.seasons.update(params.id, toSpec(body), actorOf(req.principal!));
    res.json(season);
  });

  r.delete('/:id', requirePermission('rules:write'), async (req, res) => {
    const { id } = validate(req, routes.remove).params;
    const s = await stores.seasons.get(id);
    if (!s) throw new NotFoundError(`No season ${id}`);
    await stores.seasons.remove(id, actorOf(req.principal!));
    res.json(s);
  });

  return r;
}
