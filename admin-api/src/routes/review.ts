import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, parseHeldId, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { snowflake, text, validate } from '../http/input';
import { listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const heldId = z.string().max(80).refine((s) => parseHeldId(s) !== null, 'must be a held item id ({tweetId}:{discordId}:{kind})');
const byId = { params: z.strictObject({ id: heldId }) };
const note = z.strictObject({ note: text({ max: 500, what: 'note' }).optional() });
const routes = {
  list: { query: listQuery(z.strictObject({ reason: z.enum(['ineligible', 'reply']).optional(), discordId: snowflake.optional() }), ['createdAt']) },
  show: byId,
  act: { ...byId, body: note },
};

/**
 * The review queue: engagements held back (member not eligible, reply rejected) waiting for an
 * admin. Approve awards the points whatever the rules say; dismiss drops them for good. Both are
 * idempotent (a repeat answers the item unchanged, `changed: false`) and audited.
 */
export function reviewRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const page = await stores.review.open({ offset: q.offset, limit: q.limit, filter: q.filter });
    sendPage(res, 'review', q.offset, page.items, page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const item = await stores.review.get(id);
    if (!item) throw new NotFoundError(`No held item ${id}`);
    res.json(item);
  });

  r.post('/:id/approve', requirePermission('points:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.act);
    const out = await stores.review.approve(id, actorOf(req.principal!), body.note ?? '');
    res.json({ ...out.item, changed: out.changed, points: out.points });
  });

  r.post('/:id/dismiss', requirePermission('points:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.act);
    const out = await stores.review.dismiss(id, actorOf(req.principal!), body.note ?? '');
    res.json({ ...out.item, changed: out.changed });
  });

  return r;
}
