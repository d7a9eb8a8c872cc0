import { Router } from 'express';
import { z } from 'zod';
import { MAX_RULE_POINTS, TIERS, type PointRules, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { tierParam, validate } from '../http/input';
import { listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const points = z.number().int().min(0).max(MAX_RULE_POINTS);
const byTier = { params: z.strictObject({ tier: tierParam }) };
/** One schema per route: path tier, query and body. */
const routes = {
  list: { query: listQuery(z.strictObject({}), ['id', 'tier']) },
  show: byTier,
  update: {
    ...byTier,
    body: z
      .strictObject({ like: points.optional(), retweet: points.optional(), reply: points.optional(), quote: points.optional() })
      .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of like, retweet, reply, quote'),
  },
  reset: {},
};

const records = (rules: PointRules) => TIERS.map((t) => ({ id: String(t), tier: t, ...rules[t] }));

/** Points per tier and engagement kind: three records, id = tier. */
export function rulesRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    validate(req, routes.list);
    sendPage(res, 'rules', 0, records(await stores.rules.get()), 3);
  });

  r.get('/:tier', requirePermission('read'), async (req, res) => {
    const t = validate(req, routes.show).params.tier;
    res.json(records(await stores.rules.get())[t - 1]);
  });

  r.put('/:tier', requirePermission('rules:write'), async (req, res) => {
    const { params: { tier: t }, body: change } = validate(req, routes.update);
    const after = await stores.rules.setMany({ [t]: change }, actorOf(req.principal!));
    res.json(records(after)[t - 1]);
  });

  r.post('/reset', requirePermission('rules:write'), async (req, res) => {
    validate(req, routes.reset);
    res.json(records(await stores.rules.reset(actorOf(req.principal!))));
  });

  return r;
}
