import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, type Stores } from '@engagement-tracker/core';
import type { ApiTokenStore } from '../auth/api-token-store';
import { actorOf, TOKEN_SCOPES } from '../auth/principal';
import { apiTokenId, text, validate } from '../http/input';
import { listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

/** One schema per route: path id, query and body. */
const byId = { params: z.strictObject({ id: apiTokenId }) };
const routes = {
  list: { query: listQuery(z.strictObject({}), ['id', 'createdAt']) },
  show: byId,
  create: {
    body: z.strictObject({
      name: text({ min: 1, max: 100, what: 'name' }),
      scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length).default(['read']),
      expiresInDays: z.number().int().min(1).max(365).optional(),
    }),
  },
  revoke: byId,
};

/** Admin-only: create (the token is shown once), list and revoke scoped API tokens. */
export function apiTokensRouter(stores: Stores, tokens: ApiTokenStore): Router {
  const r = Router();
  r.use(requirePermission('tokens:manage'));

  r.get('/', async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const page = await tokens.list(q.offset, q.limit);
    sendPage(res, 'api-tokens', q.offset, page.items, page.total);
  });

  r.get('/:id', async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const t = await tokens.get(id);
    if (!t) throw new NotFoundError(`No API token ${id}`);
    res.json(t);
  });

  r.post('/', async (req, res) => {
    const { body: b } = validate(req, routes.create);
    const actor = actorOf(req.principal!);
    const { token, record } = await tokens.create({ name: b.name, role: req.principal!.role, scopes: [...new Set(b.scopes)], createdBy: actor, ...(b.expiresInDays ? { ttlMs: b.expiresInDays * 86_400_000 } : {}) });
    await stores.audit.record({ actor, action: 'token.create', target: `token:${record.id}`, after: { name: record.name, scopes: record.scopes, expiresAt: record.expiresAt } });
    res.status(201).json({ ...record, token });
  });

  r.delete('/:id', async (req, res) => {
    const { id } = validate(req, routes.revoke).params;
    const rec = await tokens.revoke(id);
    if (!rec) throw new NotFoundError(`No API token ${id}`);
    await stores.audit.record({ actor: actorOf(req.principal!), action: 'token.revoke', target: `token:${rec.id}`, before: { name: rec.name, scopes: rec.scopes } });
    res.json(rec);
  });

  return r;
}
