import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, type Stores } from '@engagement-tracker/core';
import { parseListQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const filterSchema = z.strictObject({ actor: z.string().max(100).optional(), action: z.string().max(100).optional(), target: z.string().max(200).optional() });

/** The audit log, newest first; read only. */
export function auditLogRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const q = parseListQuery(req.query, filterSchema, ['id', 'at']);
    const page = await stores.audit.list({ offset: q.offset, limit: q.limit, filter: q.filter });
    sendPage(res, 'audit-log', q.offset, page.items, page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const id = String(req.params.id);
    if (!/^\d+-\d+$/.test(id)) throw new NotFoundError(`No audit entry ${id}`);
    const rows = await stores.ctx.redis.xrange(stores.keys.audit(), id, id);
    const row = rows[0];
    if (!row) throw new NotFoundError(`No audit entry ${id}`);
    const m: Record<string, string> = {};
    for (let i = 0; i < row[1].length; i += 2) m[row[1][i]!] = row[1][i + 1]!;
    const parse = (v?: string) => (v ? (JSON.parse(v) as unknown) : undefined);
    res.json({ id, at: Number(m.at), actor: m.actor, action: m.action, target: m.target, before: parse(m.before), after: parse(m.after) });
  });

  return r;
}
