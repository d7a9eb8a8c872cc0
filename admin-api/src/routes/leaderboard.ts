import { Router, type Response } from 'express';
import { z } from 'zod';
import { isIsoWeek, NotFoundError, SEASON_ID_RE, ValidationError, type Board, type BoardRef, type LeaderboardEntry, type Stores } from '@engagement-tracker/core';
import { snowflake, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const week = z.string().max(8).refine(isIsoWeek, 'week must look like 2026-W48');
const board = z.enum(['alltime', 'daily', 'weekly', 'monthly', 'season']).default('alltime');
/** A day (2026-11-29), ISO week (2026-W48) or month (2026-11); checked against the board by the store. */
const period = z.string().regex(/^\d{4}-(?:W\d{2}|\d{2}(?:-\d{2})?)$/, 'period must look like 2026-11-29, 2026-W48 or 2026-11');
const season = z.string().regex(SEASON_ID_RE, 'not a season id');
const window = { board, week: week.optional(), period: period.optional(), season: season.optional() };
/** One schema per route: path id and query. */
const routes = {
  list: { query: listQuery(z.strictObject({ ...window, id: idsFilter(snowflake) }), ['id', 'rank', 'points']) },
  weeks: {},
  periods: { query: z.strictObject({ board: z.enum(['daily', 'weekly', 'monthly']) }) },
  export: { query: z.strictObject(window) },
  show: { params: z.strictObject({ id: snowflake }) },
};

type Window = { board: Board; week?: string | undefined; period?: string | undefined; season?: string | undefined };

/** The board a query names: a period board takes `period` (or `week`), the season board needs `season`. */
function boardRef(q: Window): BoardRef {
  if (q.board === 'alltime') return { board: 'alltime' };
  if (q.board === 'season') {
    if (!q.season) throw new ValidationError('Give a season for the season board.', 'invalid');
    return { board: 'season', season: q.season };
  }
  const p = q.period ?? q.week;
  return p ? { board: q.board, period: p } : { board: q.board };
}

function fileName(q: Window): string {
  if (q.board === 'alltime') return 'leaderboard-alltime.csv';
  if (q.board === 'season') return `leaderboard-season-${q.season}.csv`;
  return `leaderboard-${q.board}-${q.period ?? q.week ?? 'current'}.csv`;
}

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

/** All-time, daily, weekly, monthly and season leaderboards (current or past periods), and their CSV export. */
export function leaderboardRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const { id: ids, ...w } = q.filter;
    const target = boardRef(w);
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

  /** Recent day, week or month ids that still have a board, newest first (past periods to browse). */
  r.get('/periods', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.periods);
    res.json(await stores.leaderboard.periods(q.board));
  });

  r.get('/export.csv', requirePermission('read'), async (req, res: Response) => {
    const { query: q } = validate(req, routes.export);
    const target = boardRef(q);
    const name = fileName(q);
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
