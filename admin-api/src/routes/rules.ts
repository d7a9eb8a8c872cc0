import { Router } from 'express';
import { z } from 'zod';
import { MAX_RULE_POINTS, NotFoundError, TIERS, type PointRules, type Stores, type Tier } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const points = z.number().int().min(0).max(MAX_RULE_POINTS);
const body = z.object({ like: points.optional(), retweet: points.optional(), reply: points.optional(), quote: points.optional() });

const records = (rules: PointRules) => TIERS.map((t) => ({ id: String(t), tier: t, ...rules[t] }));

function tierParam(raw: string): Tier {
  const t = Number(raw);
  if (t !== 1 && t !== 2 && t !== 3) throw new NotFoundError(`No rules for tier ${raw}; tiers are 1, 2 and 3`);
  return t;
}

/** Points per tier and engagement kind: three records, id = tier. */
export function rulesRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (_req, res) => {
    sendPage(res, 'rules', 0, records(await stores.rules.get()), 3);
  });

  r.get('/:tier', requirePermission('read'), async (req, res) => {
    const t = tierParam(String(req.params.tier));
    res.json(records(await stores.rules.get())[t - 1]);
  });

  r.put('/:tier', requirePermission('rules:write'), async (req, res) => {
    const t = tierParam(String(req.params.tier));
    const change = body.parse(req.body ?? {});
    const after = await stores.rules.setMany({ [t]: change }, actorOf(req.principal!));
    res.json(records(after)[t - 1]);
  });

  r.post('/reset', requirePermission('rules:write'), async (req, res) => {
    res.json(records(await stores.rules.reset(actorOf(req.principal!))));
  });

  return r;
}
