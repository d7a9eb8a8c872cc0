import { Router } from 'express';
import { z } from 'zod';
import { DEFAULT_ANOMALY_THRESHOLDS, NotFoundError, ValidationError, type AnomalyThresholds, type Ban, type Connection, type Member, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { snowflake, text, tier, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const SORTABLE = ['id', 'joinedAt', 'totalPoints'] as const;
const MAX_ADJUSTMENT = 1_000_000;

/** One schema per route: path id, query and body. */
const byId = { params: z.strictObject({ id: snowflake }) };
const routes = {
  list: {
    query: listQuery(
      z.strictObject({
        id: idsFilter(snowflake),
        linkStatus: z.enum(['linked', 'needs_reconnect', 'unlinked']).optional(),
        /** Only members whose last 24 hours of points are anomalous (see PointsWatch), largest gain first. */
        anomalous: z.boolean().optional(),
      }),
      SORTABLE,
    ),
  },
  show: byId,
  logs: { ...byId, query: listQuery(z.strictObject({}), ['id']) },
  held: { ...byId, query: listQuery(z.strictObject({}), ['id']) },
  setTier: { ...byId, body: z.strictObject({ tier }) },
  adjust: {
    ...byId,
    body: z.strictObject({
      delta: z.number().int().min(-MAX_ADJUSTMENT).max(MAX_ADJUSTMENT).refine((d) => d !== 0, 'delta must not be 0'),
      reason: text({ min: 3, max: 500, what: 'reason' }),
    }),
  },
  unlink: byId,
};
/** An Idempotency-Key header: up to 100 visible ASCII characters. */
const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,100}$/, 'Idempotency-Key must be 1 to 100 visible ASCII characters').optional();

/** Members with their X link and this week's points, as the console shows them. */
export async function presentMembers(stores: Stores, members: Member[]) {
  if (!members.length) return [];
  const ids = members.map((m) => m.discordId);
  const [conns, weekly, bans] = await Promise.all([stores.connections.getMany(ids), stores.leaderboard.scores(ids, { board: 'weekly' }), stores.bans.getMany(ids)]);
  return members.map((m, i) => present(m, conns[i] ?? null, weekly[i] ?? 0, bans[i] ?? null));
}

function present(m: Member, c: Connection | null, weeklyPoints: number, ban: Ban | null) {
  return {
    id: m.discordId,
    discordId: m.discordId,
    displayName: m.displayName,
    handle: c?.handle ?? null,
    xUserId: c?.xUserId ?? null,
    linkStatus: c ? c.status : 'unlinked',
    tier: m.tier,
    totalPoints: m.totalPoints,
    weeklyPoints,
    counts: m.counts,
    joinedAt: m.joinedAt,
    linkedAt: c?.linkedAt ?? null,
    /** banned members keep their points; they are hidden from the leaderboards and earn nothing */
    ban,
  };
}

async function load(stores: Stores, id: string) {
  const m = await stores.members.get(id);
  if (!m) throw new NotFoundError(`No member ${id}`);
  return (await presentMembers(stores, [m]))[0]!;
}

/** Members: list, show, set tier, adjust points, unlink X. */
export function membersRouter(stores: Stores, thresholds: AnomalyThresholds = DEFAULT_ANOMALY_THRESHOLDS): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const f = q.filter;
    if (f.id) {
      const ms = (await stores.members.getMany(f.id)).filter((m): m is Member => m !== null);
      return void sendPage(res, 'members', 0, await presentMembers(stores, ms), ms.length);
    }
    if (f.anomalous) {
      const { flagged } = await stores.points.report(thresholds);
      const ms = await stores.members.getMany(flagged.map((g) => g.discordId));
      const rows = await presentMembers(stores, ms.filter((m): m is Member => m !== null));
      const gains = new Map(flagged.map((g) => [g.discordId, g]));
      const items = rows.map((r) => ({ ...r, anomaly: gains.get(r.id) ?? null }));
      return void sendPage(res, 'members', q.offset, items.slice(q.offset, q.offset + q.limit), items.length);
    }
    if (f.linkStatus) {
      // Linked members come from the connections index; the others need a scan of members.
      const all = f.linkStatus === 'unlinked' ? await stores.members.unlinkedIds() : (await stores.connections.listLinked()).filter((c) => c.status === f.linkStatus).map((c) => c.discordId);
      const ms = (await stores.members.getMany(all)).filter((m): m is Member => m !== null);
      const sorted = sortMembers(ms, q.sort, q.order);
      return void sendPage(res, 'members', q.offset, await presentMembers(stores, sorted.slice(q.offset, q.offset + q.limit)), sorted.length);
    }
    const byPoints = q.sort === 'totalPoints';
    const page = await stores.members.list({ offset: q.offset, limit: q.limit, sort: byPoints ? 'totalPoints' : 'joinedAt', order: byPoints || q.sort ? q.order : 'DESC' });
    sendPage(res, 'members', q.offset, await presentMembers(stores, page.items), page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    res.json(await load(stores, validate(req, routes.show).params.id));
  });

  r.get('/:id/logs', requirePermission('read'), async (req, res) => {
    const { params, query: q } = validate(req, routes.logs);
    const page = await stores.ledger.logsForMember(params.id, { offset: q.offset, limit: q.limit });
    sendPage(res, 'logs', q.offset, page.items, page.total);
  });

  r.get('/:id/held', requirePermission('read'), async (req, res) => {
    const { params, query: q } = validate(req, routes.held);
    const page = await stores.review.forMember(params.id, { offset: q.offset, limit: q.limit });
    sendPage(res, 'held', q.offset, page.items, page.total);
  });

  r.put('/:id', requirePermission('members:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.setTier);
    await stores.members.setTier(id, body.tier, actorOf(req.principal!));
    res.json(await load(stores, id));
  });

  r.post('/:id/adjustments', requirePermission('points:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.adjust);
    const key = idempotencyKey.safeParse(req.get('idempotency-key'));
    if (!key.success) throw new ValidationError(key.error.issues[0]!.message, 'invalid');
    const log = await stores.ledger.adjust({ discordId: id, delta: body.delta, reason: body.reason, actor: actorOf(req.principal!), ...(key.data ? { idempotencyKey: `${id}:${key.data}` } : {}) });
    res.status(201).json({ ...log, member: await load(stores, id) });
  });

  r.delete('/:id', requirePermission('members:write'), async (req, res) => {
    const { id } = validate(req, routes.unlink).params;
    const gone = await stores.connections.unlink(id, actorOf(req.principal!));
    if (!gone) throw new NotFoundError(`Member ${id} has no linked X account`);
    res.json(await load(stores, id).catch(() => ({ id, linkStatus: 'unlinked' })));
  });

  return r;
}

function sortMembers(ms: Member[], sort: string | undefined, order: 'ASC' | 'DESC'): Member[] {
  const key = sort === 'totalPoints' ? 'totalPoints' : 'joinedAt';
  const dir = order === 'ASC' ? 1 : -1;
  return [...ms].sort((a, b) => (a[key] - b[key]) * dir || (a.discordId < b.discordId ? -dir : dir));
}
