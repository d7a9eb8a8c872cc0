import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, type Stores } from '@engagement-tracker/core';
import { auditId, text, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

/** One schema per route: path id and query. */
const routes = {
  list: {
    query: listQuery(
      z.strictObject({
        id: idsFilter(auditId),
        actor: text({ max: 100, what: 'actor' }).optional(),
        action: text({ max: 100, what: 'action' }).optional(),
        target: text({ max: 200, what: 'target' }).optional(),
      }),
      ['id', 'at'],
    ),
  },
  show: { params: z.strictObject({ id: auditId }) },
};

/** The audit log, newest first; read only. */
export function auditLogRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const { id: ids, ...filter } = q.filter;
    if (ids) {
      const found = (await Promise.all(ids.map((id) => stores.audit.get(id)))).filter((e) => e !== null);
      return void sendPage(res, 'audit-log', 0, found, found.length);
    }
    const page = await stores.audit.list({ offset: q.offset, limit: q.limit, filter });
    sendPage(res, 'audit-log', q.offset, page.items, page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const e = await stores.audit.get(id);
    if (!e) throw new NotFoundError(`No audit entry ${id}`);
    res.json(e);
  });

  return r;
}
