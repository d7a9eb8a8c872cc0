import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { snowflake, text, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const reason = text({ min: 3, max: 500, what: 'reason' });
const routes = {
  list: { query: listQuery(z.strictObject({ id: idsFilter(snowflake) }), ['id', 'at']) },
  show: { params: z.strictObject({ id: snowflake }) },
  ban: { body: z.strictObject({ discordId: snowflake, reason }) },
  unban: { params: z.strictObject({ id: snowflake }), body: z.strictObject({ reason }) },
};

const present = (b: { discordId: string; reason: string; actor: string; at: number }) => ({ id: b.discordId, ...b });

/**
 * Banned members: list (read), ban and unban with a reason (manage members). A ban stops awards at
 * once and hides the member from leaderboards; points and history are kept. Both are audited and
 * idempotent (banning a banned member answers 200 and changes nothing).
 */
export function bansRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    let all = await stores.bans.list();
    if (q.filter.id) all = all.filter((b) => q.filter.id!.includes(b.discordId));
    if (q.sort === 'id') all.sort((a, b) => (a.discordId < b.discordId ? -1 : 1) * (q.order === 'ASC' ? 1 : -1));
    else if (q.order === 'ASC') all.reverse();
    sendPage(res, 'bans', q.offset, all.slice(q.offset, q.offset + q.limit).map(present), all.length);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const ban = await stores.bans.get(id);
    if (!ban) throw new NotFoundError(`Member ${id} is not banned`);
    res.json(present(ban));
  });

  r.post('/', requirePermission('members:write'), async (req, res) => {
    const { body } = validate(req, routes.ban);
    const changed = await stores.bans.ban(body.discordId, body.reason, actorOf(req.principal!));
    res.status(changed ? 201 : 200).json(present((await stores.bans.get(body.discordId))!));
  });

  r.delete('/:id', requirePermission('members:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.unban);
    const before = await stores.bans.get(id);
    if (!before) throw new NotFoundError(`Member ${id} is not banned`);
    await stores.bans.unban(id, body.reason, actorOf(req.principal!));
    res.json(present(before));
  });

  return r;
}
