import { Router, type Response } from 'express';
import { z } from 'zod';
import { isIsoWeek, NotFoundError, type LeaderboardEntry, type Stores } from '@engagement-tracker/core';
import { snowflake, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const week = z.string().max(8).refine(isIsoWeek, 'week must look like 2026-W48');
const board = z.enum(['alltime', 'weekly']).default('alltime');
/** One schema per route: path id and query. */
const routes = {
  list: { query: listQuery(z.strictObject({ board, week: week.optional(), id: idsFilter(snowflake) }), ['id', 'rank', 'points']) },
  weeks: {},
  export: { query: z.strictObject({ board, week: week.optional() }) },
  show: { params: z.strictObject({ id: snowflake }) },
};

async function present(stores: Stores, entries: LeaderboardEntry[]) {
  const ids = entries.map((e) => e.discordId);
  const [members, conns] = await Promise.all([stores.members.getMany(ids), stores.connections.getMany(ids)]);
  return entries.map((e, i) => ({
    id: e.discordId,
    rank: e.rank,
    displayName: members[i]?.displayName ?? e.discordId,
    handle: conns[i]?.handle ?? null,
    tier: members[i]?.tier ?? 1,
    points: e.points,
  }));
}

// A cell a spreadsheet would read as a formula: =, +, -, @ (or their full-width forms) first, after
// any leading white space, or a leading tab / carriage return.
const FORMULA = /^(?:[\s\u00a0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r])/u;

/**
 * One CSV field. Numbers stay numbers (a negative total is `-5`, not text); text that a spreadsheet
 * would run as a formula gets a leading `'`; every text field is quoted.
 */
export function csvField(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v === null || v === undefined ? '' : String(v);
  if (FORMULA.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** All-time and weekly leaderboards (current or past weeks), and their CSV export. */
export function leaderboardRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const { board, week: w, id: ids } = q.filter;
    const target = board === 'weekly' ? { board, ...(w ? { week: w } : {}) } : { board };
    if (ids) {
      const ranked = (await Promise.all(ids.map((id) => stores.leaderboard.rank(id, target)))).filter((e): e is LeaderboardEntry => e !== null);
      return void sendPage(res, 'leaderboard', 0, await present(stores, ranked), ranked.length);
    }
    const top = await stores.leaderboard.top({ ...target, offset: q.offset, limit: q.limit });
    sendPage(res, 'leaderboard', q.offset, await present(stores, top.entries), top.total);
  });

  r.get('/weeks', requirePermission('read'), async (req, res) => {
    validate(req, routes.weeks);
    res.json(await stores.leaderboard.weeks());
  });

  r.get('/export.csv', requirePermission('read'), async (req, res: Response) => {
    const { query: q } = validate(req, routes.export);
    const target = q.board === 'weekly' ? { board: q.board, ...(q.week ? { week: q.week } : {}) } : { board: q.board };
    const name = q.board === 'weekly' ? `leaderboard-${q.week ?? 'this-week'}.csv` : 'leaderboard-alltime.csv';
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
    res.write('rank,discordId,displayName,handle,tier,points\n');
    for (let offset = 0; ; offset += 1000) {
      const page = await stores.leaderboard.top({ ...target, offset, limit: 1000 });
      const rows = await present(stores, page.entries);
      if (rows.length) res.write(rows.map((e) => [e.rank, e.id, e.displayName, e.handle, e.tier, e.points].map(csvField).join(',')).join('\n') + '\n');
      if (page.entries.length < 1000) break;
    }
    res.end();
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const e = await stores.leaderboard.rank(id, { board: 'alltime' });
    if (!e) throw new NotFoundError(`${id} is not on the leaderboard`);
    res.json((await present(stores, [e]))[0]);
  });

  return r;
}
