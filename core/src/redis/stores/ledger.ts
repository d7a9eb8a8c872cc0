import {
  DEFAULT_BOARD_RETENTION, DEFAULT_RULES, ENGAGEMENT_KINDS, isoWeek, logSeason, oldestKeptPeriod, periodBoardTtlSeconds, periodOf, ruleCells, SEASON_USAGE_GRACE_MS, utcDay,
  type BoardRetention, type Engagement, type EngagementKind, type EngagementLog, type Hold, type Tier,
} from '../../domain';
import { NotFoundError, StaleFenceError, ValidationError } from '../../errors';
import { AWARD_OUTCOMES, ScriptErrorCode, type AwardOutcome } from '../error-codes';
import { int, pageBounds, type Page, type StoreContext } from './context';
import { SeasonStore } from './season-store';

/**
 * An engagement offered to the ledger. `hold` records it as not awarded with that reason (it is
 * awarded by a later call without one); 'approve' is an admin's approval from the review queue.
 */
export type AwardInput = Engagement & { hold?: Hold | 'approve' };

export interface AwardResult {
  awarded: number;
  points: number;
  duplicates: number;
  /** recorded as not awarded (held back with a reason) */
  held: number;
  /** refused because the member is banned */
  banned: number;
  /** not awarded for any other reason (self, own post, unknown, dismissed, ...) */
  skipped: number;
  results: Array<Engagement & { outcome: AwardOutcome; points: number }>;
}

/** The reply text kept on a held item (code points; lone surrogates replaced), for the admin reviewing it. */
const HELD_TEXT_MAX = 500;

export interface Drift {
  discordId: string;
  field: string;
  expected: number;
  actual: number;
}

/** Engagements per Lua call: big enough to amortise round trips, small enough not to stall Redis. */
export const AWARD_CHUNK = 500;

const CELLS = ruleCells();
const CELLS_JSON = JSON.stringify(CELLS.map(({ tier, kind }) => `${tier}-${kind}`));
const DEFAULTS_JSON = JSON.stringify(Object.fromEntries(CELLS.map(({ tier, kind }) => [`${tier}-${kind}`, DEFAULT_RULES[tier][kind]])));

/** The points ledger: awards, adjustments, logs, and a consistency check that recomputes totals. */
export class Ledger {
  constructor(
    private readonly ctx: StoreContext,
    private readonly retention: BoardRetention = DEFAULT_BOARD_RETENTION,
  ) {}

  /**
   * Award a batch of engagements. Each (tweet, member, kind) is awarded at most once, ever; running
   * the same batch again, or resuming after a crash, awards nothing twice. Each chunk is one atomic
   * Lua call. With `fence`, nothing is written unless the batch lock still carries that token.
   */
  async award(input: { batchId: string; fence?: number; engagements: AwardInput[]; at?: number }): Promise<AwardResult> {
    const { keys } = this.ctx;
    const at = input.at ?? this.ctx.now();
    const out: AwardResult = { awarded: 0, points: 0, duplicates: 0, held: 0, banned: 0, skipped: 0, results: [] };
    for (const e of input.engagements) {
      if (!(ENGAGEMENT_KINDS as readonly string[]).includes(e.kind)) throw new ValidationError(`Unknown engagement kind ${e.kind}`);
    }
    const { week, day, month, ...periods } = this.periodsOf(at);
    const seasons = await new SeasonStore(this.ctx).runningIds(at);
    const extras = JSON.stringify({ ...periods, seasons, usageGraceMs: SEASON_USAGE_GRACE_MS });
    const fixedKeys = [
      keys.batchLock(), keys.leaderboardAllTime(), keys.leaderboardWeeks(), keys.pointsDaily(), keys.batchLogs(input.batchId),
      keys.bans(), keys.heldOpen(), keys.tweetsChanged(), keys.leaderboardWeekly(week),
      ...CELLS.map(({ tier, kind }) => keys.rule(tier, kind)),
      keys.leaderboardDaily(day), keys.leaderboardMonthly(month),
      ...seasons.flatMap((id) => [keys.season(id), keys.leaderboardSeason(id), keys.seasonUsage(id)]),
    ];
    for (let i = 0; i < input.engagements.length; i += AWARD_CHUNK) {
      const chunk = input.engagements.slice(i, i + AWARD_CHUNK);
      const args: Array<string | number> = [input.batchId, input.fence === undefined ? '' : String(input.fence), at, week, day, CELLS_JSON, DEFAULTS_JSON, extras];
      const callKeys = [...fixedKeys];
      for (const e of chunk) {
        args.push(e.tweetId, e.discordId, e.kind, holdArg(e.hold));
        callKeys.push(
          keys.tweet(e.tweetId), keys.member(e.discordId), keys.connection(e.discordId),
          keys.log(awardLogId(e)), keys.userLogs(e.discordId), keys.tweetLogs(e.tweetId),
          keys.held(e.tweetId, e.discordId, e.kind), keys.userHeld(e.discordId),
        );
      }
      const res = await this.ctx.run('awardEngagements', callKeys, args);
      if (res === ScriptErrorCode.StaleFence) throw new StaleFenceError();
      const r = res as number[];
      out.awarded += r[0]!;
      out.points += r[1]!;
      out.duplicates += r[2]!;
      chunk.forEach((e, j) => {
        const outcome = AWARD_OUTCOMES[r[3 + 2 * j]!]!;
        if (outcome === 'held') out.held += 1;
        else if (outcome === 'banned') out.banned += 1;
        else if (outcome !== 'awarded' && outcome !== 'duplicate') out.skipped += 1;
        out.results.push({ tweetId: e.tweetId, discordId: e.discordId, kind: e.kind, outcome, points: r[4 + 2 * j]! });
      });
    }
    return out;
  }

  /** A manual adjustment with a reason; pass an idempotency key to make a retried request safe. */
  async adjust(input: { discordId: string; delta: number; reason: string; actor: string; idempotencyKey?: string }): Promise<EngagementLog> {
    if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > 1_000_000) {
      throw new ValidationError('Adjustment must be a non-zero whole number of points (at most 1,000,000 either way).');
    }
    const reason = input.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw new ValidationError('Give a reason for the adjustment (3 to 500 characters).');
    const { keys } = this.ctx;
    const now = this.ctx.now();
    const logId = `adj:${await this.ctx.redis.incr(keys.logSeq())}`;
    const { week, day, month, weekTtl, dayTtl, monthTtl, weeksFrom } = this.periodsOf(now);
    const res = await this.ctx.run(
      'adjustPoints',
      [
        keys.member(input.discordId), keys.leaderboardAllTime(), keys.leaderboardWeeks(), keys.pointsDaily(), keys.adjustmentKey(input.idempotencyKey ?? logId), keys.audit(),
        keys.log(logId), keys.userLogs(input.discordId), keys.leaderboardWeekly(week),
        keys.leaderboardDaily(day), keys.leaderboardMonthly(month),
      ],
      [input.discordId, input.delta, reason, input.actor, now, week, day, logId, dayTtl, monthTtl, weekTtl, weeksFrom],
    );
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No member ${input.discordId}`);
    return (await this.getLog(String(res)))!;
  }

  /**
   * The week, day and month of an award made at `at`, how long their boards live from now (the retention
   * counts from the period's end), and the oldest week the weeks index keeps.
   */
  private periodsOf(at: number): { week: string; day: string; month: string; weekTtl: number; dayTtl: number; monthTtl: number; weeksFrom: string } {
    const now = this.ctx.now();
    const week = isoWeek(at);
    const day = utcDay(at);
    const month = periodOf('month', at);
    return {
      week, day, month,
      weekTtl: periodBoardTtlSeconds('week', week, this.retention.weeks, now) ?? 0,
      dayTtl: periodBoardTtlSeconds('day', day, this.retention.days, now) ?? 0,
      monthTtl: periodBoardTtlSeconds('month', month, this.retention.months, now) ?? 0,
      weeksFrom: oldestKeptPeriod('week', now, this.retention.weeks),
    };
  }

  async getLog(logId: string): Promise<EngagementLog | null> {
    return toLog(await this.ctx.redis.hgetall(this.ctx.keys.log(logId)));
  }

  async logsForMember(discordId: string, page: Page = {}): Promise<{ items: EngagementLog[]; total: number }> {
    const { start, stop } = pageBounds(page);
    const key = this.ctx.keys.userLogs(discordId);
    const [total, ids] = await Promise.all([this.ctx.redis.zcard(key), this.ctx.redis.zrevrange(key, start, stop)]);
    return { total, items: await this.getLogs(ids) };
  }

  async logsForTweet(tweetId: string): Promise<EngagementLog[]> {
    return this.getLogs(await this.ctx.redis.zrange(this.ctx.keys.tweetLogs(tweetId), 0, '-1'));
  }

  async logsForBatch(batchId: string): Promise<EngagementLog[]> {
    return this.getLogs(await this.ctx.redis.zrange(this.ctx.keys.batchLogs(batchId), 0, '-1'));
  }

  /** Points given per UTC day for the last `days` days, oldest first (days with none are 0). */
  async pointsPerDay(days = 30): Promise<Array<{ day: string; points: number }>> {
    const now = this.ctx.now();
    const list = Array.from({ length: days }, (_, i) => utcDay(now - (days - 1 - i) * 86_400_000));
    const values = await this.ctx.redis.hmget(this.ctx.keys.pointsDaily(), ...list);
    return list.map((day, i) => ({ day, points: int(values[i]) }));
  }

  /**
   * Recompute every member's totals from the logs and compare with the member hash, the all-time
   * board and each week board still kept (listed in the weeks index and not expired), plus the day,
   * month and season boards. Reports drift; changes nothing.
   */
  async checkConsistency(): Promise<{ membersChecked: number; logsChecked: number; drift: Drift[] }> {
    const { redis, keys } = this.ctx;
    const ids = await redis.zrange(keys.members(), 0, '-1');
    const weeks = await redis.zrange(keys.leaderboardWeeks(), 0, '-1');
    const seasonEnds = new Map((await new SeasonStore(this.ctx).list()).map((x) => [x.id, x.endsAt]));
    const drift: Drift[] = [];
    let logsChecked = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const slice = ids.slice(i, i + 200);
      const p = redis.pipeline();
      for (const id of slice) {
        p.hgetall(keys.member(id));
        p.zscore(keys.leaderboardAllTime(), id);
        p.zrange(keys.userLogs(id), 0, '-1');
      }
      const res = ((await p.exec()) ?? []).map(([, v]) => v);
      for (let j = 0; j < slice.length; j++) {
        const id = slice[j]!;
        const member = res[3 * j] as Record<string, string>;
        const board = int(res[3 * j + 1] as string | null);
        const logs = await this.getLogs(res[3 * j + 2] as string[]);
        drift.push(...(await this.checkPeriodAndSeasonBoards(id, logs, seasonEnds)));
        logsChecked += logs.length;
        let total = 0;
        const byWeek = new Map<string, number>();
        const counts = Object.fromEntries(ENGAGEMENT_KINDS.map((k) => [k, 0])) as Record<EngagementKind, number>;
        for (const l of logs) {
          if (l.revokedAt) continue;
          total += l.points;
          byWeek.set(l.week, (byWeek.get(l.week) ?? 0) + l.points);
          if (l.source === 'award' && l.kind) counts[l.kind] += 1;
        }
        const check = (field: string, expected: number, actual: number) => {
          if (expected !== actual) drift.push({ discordId: id, field, expected, actual });
        };
        check('totalPoints', total, int(member.totalPoints));
        check('leaderboard:alltime', total, board);
        for (const k of ENGAGEMENT_KINDS) check(`count_${k}`, counts[k], int(member[`count_${k}`]));
        if (weeks.length) {
          // Every week board still there (an expired one is not drift, as for days and months).
          const wp = redis.pipeline();
          for (const w of weeks) wp.exists(keys.leaderboardWeekly(w)).zscore(keys.leaderboardWeekly(w), id);
          const res = ((await wp.exec()) ?? []).map(([, v]) => v);
          weeks.forEach((w, n) => {
            if (res[2 * n] === 1) check(`leaderboard:weekly:${w}`, byWeek.get(w) ?? 0, int(res[2 * n + 1] as string | null));
          });
        }
      }
    }
    drift.push(...(await this.checkHeld(ids)));
    return { membersChecked: ids.length, logsChecked, drift };
  }

  /**
   * Held-back engagements agree with the ledger: one awarded later or approved has its award log,
   * one still held or dismissed has none; exactly the held ones are in the review queue.
   */
  private async checkHeld(memberIds: string[]): Promise<Drift[]> {
    const { redis, keys } = this.ctx;
    const drift: Drift[] = [];
    const open = new Set(await redis.zrange(keys.heldOpen(), 0, '-1'));
    for (const discordId of memberIds) {
      const ids = await redis.zrange(keys.userHeld(discordId), 0, '-1');
      if (!ids.length) continue;
      const p = redis.pipeline();
      for (const id of ids) p.hget(keys.log(`award:${id}`), 'id').hget(keys.held(...(id.split(':') as [string, string, string])), 'status');
      const res = ((await p.exec()) ?? []).map(([, v]) => v as string | null);
      ids.forEach((id, i) => {
        const logged = res[2 * i] ? 1 : 0;
        const status = res[2 * i + 1] ?? 'missing';
        const awarded = status === 'awarded' || status === 'approved' ? 1 : 0;
        if (logged !== awarded) drift.push({ discordId, field: `held:${id}:${status}`, expected: awarded, actual: logged });
        const queued = open.has(id) ? 1 : 0;
        if (queued !== (status === 'held' ? 1 : 0)) drift.push({ discordId, field: `review-queue:${id}:${status}`, expected: status === 'held' ? 1 : 0, actual: queued });
      });
    }
    return drift;
  }

  /**
   * Day, month and season boards agree with the logs: a day/month board (while it has not expired) holds
   * the points of that period's logs; a season board holds the season points recorded on its award logs,
   * less those revoked before the season ended (its final board stands after that).
   */
  private async checkPeriodAndSeasonBoards(discordId: string, logs: EngagementLog[], seasonEnds: Map<string, number>): Promise<Drift[]> {
    const { redis, keys } = this.ctx;
    const drift: Drift[] = [];
    const byBoard = new Map<string, number>();
    const add = (key: string, p: number) => byBoard.set(key, (byBoard.get(key) ?? 0) + p);
    for (const l of logs) {
      const day = utcDay(l.createdAt);
      if (!l.revokedAt) {
        add(keys.leaderboardDaily(day), l.points);
        add(keys.leaderboardMonthly(day.slice(0, 7)), l.points);
      }
      if (l.seasonId && l.seasonPoints && (!l.revokedAt || l.revokedAt >= (seasonEnds.get(l.seasonId) ?? Infinity))) add(keys.leaderboardSeason(l.seasonId), l.seasonPoints);
    }
    for (const id of seasonEnds.keys()) if (!byBoard.has(keys.leaderboardSeason(id))) byBoard.set(keys.leaderboardSeason(id), 0);
    const boards = [...byBoard.keys()];
    const p = redis.pipeline();
    for (const b of boards) p.exists(b).zscore(b, discordId);
    const res = ((await p.exec()) ?? []).map(([, v]) => v);
    boards.forEach((b, i) => {
      if (res[2 * i] !== 1) return; // expired (day/month) or not written yet
      const actual = int(res[2 * i + 1] as string | null);
      if (actual !== byBoard.get(b)) drift.push({ discordId, field: b.slice(b.indexOf(':leaderboard:') + 1), expected: byBoard.get(b)!, actual });
    });
    return drift;
  }

  private async getLogs(ids: string[]): Promise<EngagementLog[]> {
    if (ids.length === 0) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.log(id));
    return ((await p.exec()) ?? []).map(([, h]) => toLog(h as Record<string, string>)).filter((l): l is EngagementLog => l !== null);
  }
}

/** The id of the award log, which is also its idempotency marker: one award per (tweet, member, kind). */
export function awardLogId(e: Engagement): string {
  return `award:${e.tweetId}:${e.discordId}:${e.kind}`;
}

function holdArg(hold: AwardInput['hold']): string {
  if (hold === undefined) return '';
  if (hold === 'approve') return '+';
  return JSON.stringify({ reason: hold.reason, code: hold.code, detail: hold.detail, text: [...(hold.text ?? '').replace(/[\uD800-\uDFFF]/gu, '\uFFFD')].slice(0, HELD_TEXT_MAX).join('') });
}

export function toLog(h: Record<string, string> | null | undefined): EngagementLog | null {
  if (!h || !h.id) return null;
  const log: EngagementLog = {
    id: h.id,
    source: h.source === 'adjustment' ? 'adjustment' : 'award',
    discordId: h.discordId ?? '',
    points: int(h.points),
    week: h.week ?? '',
    createdAt: int(h.createdAt),
  };
  if (h.tweetId) log.tweetId = h.tweetId;
  if (h.kind) log.kind = h.kind as EngagementKind;
  if (h.tier) log.tier = int(h.tier) as Tier;
  if (h.batchId) log.batchId = h.batchId;
  if (h.reason) log.reason = h.reason;
  if (h.actor) log.actor = h.actor;
  if (h.revokedAt) log.revokedAt = int(h.revokedAt);
  if (h.revokedBy) log.revokedBy = h.revokedBy;
  const season = logSeason(h);
  if (season) Object.assign(log, season);
  return log;
}
