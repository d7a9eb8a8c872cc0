import { utcDay } from '../../domain';
import type { StoreContext } from './context';

export interface AnomalyThresholds {
  /** A gain must be at least this many times the baseline to be flagged (member and community). */
  factor: number;
  /** Gains below this are never flagged (a member going from 1 to 20 points a day is not news). */
  minMemberPoints: number;
  /** The community's last 24 hours are never flagged below this. */
  minCommunityPoints: number;
}

export const DEFAULT_ANOMALY_THRESHOLDS: AnomalyThresholds = { factor: 10, minMemberPoints: 100, minCommunityPoints: 500 };

export interface MemberGain {
  discordId: string;
  /** Points gained in the last hour / 24 hours: batch awards plus manual adjustments (net). */
  gain1h: number;
  gain24h: number;
  /** Of which manual adjustments (net) in the last 24 hours. */
  adjusted24h: number;
  /** Points per day the gain is compared with: the larger of the member's and the community's. */
  baselinePerDay: number;
}

export interface PointsReport {
  at: number;
  /** Members whose last 24 hours are anomalous, largest gain first. */
  flagged: MemberGain[];
  /** The largest single-member gains. */
  maxGain1h: number;
  maxGain24h: number;
  /** Largest gain24h / baselinePerDay among members gaining at least minMemberPoints (0 when none). */
  maxGainRatio: number;
  /** Points given in the last 24 hours (awards plus adjustments, net). */
  last24h: number;
  /** Median of the points given per UTC day over the 14 days before today. */
  dailyMedian14d: number;
  /** Points per member per day the community usually gives (dailyMedian14d / members who ever scored). */
  communityMemberBaseline: number;
  communityAnomalous: boolean;
  /** Manual adjustments in the last 24 hours: how many, and their points (absolute). */
  adjustments24h: number;
  adjustedPoints24h: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * How far back the report looks for batch runs whose award logs it reads (their day, and the day before:
 * a run started then can still have awarded inside the day). Housekeeping never removes these runs.
 */
export const AWARD_RUNS_READ_MS = 2 * DAY;

/**
 * Anomalous point accumulation, computed from what the ledger already writes: the award logs of the
 * batch runs of the last 24 hours (each run's `batch:{id}:logs`, scored by award time, the member id
 * in the log id), manual adjustments from the audit stream, each member's total and join date, and
 * the community's points per day. The cost follows the day's activity, not the size of the community.
 */
export class PointsWatch {
  constructor(private readonly ctx: StoreContext) {}

  async report(t: AnomalyThresholds = DEFAULT_ANOMALY_THRESHOLDS): Promise<PointsReport> {
    const { redis, keys } = this.ctx;
    const now = this.ctx.now();
    const since = now - DAY;
    const gains = new Map<string, { gain1h: number; gain24h: number; adjusted24h: number }>();
    const add = (id: string, points: number, at: number, adjusted: boolean) => {
      const g = gains.get(id) ?? { gain1h: 0, gain24h: 0, adjusted24h: 0 };
      g.gain24h += points;
      if (at >= now - HOUR) g.gain1h += points;
      if (adjusted) g.adjusted24h += points;
      gains.set(id, g);
    };

    // Awards: runs that started up to a day before the window can still have awarded inside it.
    const runIds = await redis.zrangebyscore(keys.batches(), now - AWARD_RUNS_READ_MS, '+inf');
    const p = redis.pipeline();
    for (const id of runIds) p.zrangebyscore(keys.batchLogs(id), since, '+inf', 'WITHSCORES');
    const awards: Array<{ logId: string; at: number }> = [];
    for (const [, r] of (await p.exec()) ?? []) {
      const flat = (r as string[] | null) ?? [];
      for (let i = 0; i < flat.length; i += 2) awards.push({ logId: flat[i]!, at: Number(flat[i + 1]) });
    }
    if (awards.length) {
      const q = redis.pipeline();
      for (const a of awards) q.hmget(keys.log(a.logId), 'discordId', 'points', 'revokedAt');
      const rows = (await q.exec()) ?? [];
      awards.forEach((a, i) => {
        const [discordId, points, revokedAt] = (rows[i]?.[1] as Array<string | null> | undefined) ?? [];
        if (discordId && points && !revokedAt) add(discordId, Number(points), a.at, false);
      });
    }

    // Manual adjustments: the audit stream's ids are millisecond timestamps.
    let adjustments24h = 0;
    let adjustedPoints24h = 0;
    const entries = (await redis.xrange(keys.audit(), String(since), '+')) as Array<[string, string[]]>;
    for (const [id, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (f.action !== 'points.adjust' || !f.target?.startsWith('member:')) continue;
      const delta = Number((JSON.parse(f.after || '{}') as { delta?: number }).delta ?? 0);
      if (!delta) continue;
      const at = Number(f.at ?? id.split('-')[0]);
      if (at < since) continue;
      adjustments24h += 1;
      adjustedPoints24h += Math.abs(delta);
      add(f.target.slice('member:'.length), delta, at, true);
    }

    // Community baseline: median points per day over the 14 days before today, per member who ever scored.
    const days = Array.from({ length: 14 }, (_, i) => utcDay(now - (i + 1) * DAY));
    const [perDay, scorers] = await Promise.all([redis.hmget(keys.pointsDaily(), ...days), redis.zcard(keys.leaderboardAllTime())]);
    const dailyMedian14d = median(perDay.map((v) => Number(v ?? 0)));
    const communityMemberBaseline = dailyMedian14d / Math.max(1, scorers);
    const last24h = [...gains.values()].reduce((s, g) => s + g.gain24h, 0);

    // Each candidate's own baseline: their average points per day before the window, since joining.
    const candidates = [...gains.entries()].filter(([, g]) => g.gain24h >= t.minMemberPoints);
    const m = redis.pipeline();
    for (const [id] of candidates) m.hmget(keys.member(id), 'totalPoints', 'joinedAt');
    const memberRows = candidates.length ? ((await m.exec()) ?? []) : [];
    const flagged: MemberGain[] = [];
    let maxGainRatio = 0;
    candidates.forEach(([discordId, g], i) => {
      const [total, joinedAt] = (memberRows[i]?.[1] as Array<string | null> | undefined) ?? [];
      const daysBefore = Math.max(0, (since - Number(joinedAt ?? now)) / DAY);
      const own = daysBefore >= 1 ? Math.max(0, Number(total ?? 0) - g.gain24h) / daysBefore : 0;
      const baselinePerDay = Math.max(own, communityMemberBaseline, 1);
      const ratio = g.gain24h / baselinePerDay;
      maxGainRatio = Math.max(maxGainRatio, ratio);
      if (ratio >= t.factor) flagged.push({ discordId, ...g, baselinePerDay: Math.round(baselinePerDay * 100) / 100 });
    });
    flagged.sort((a, b) => b.gain24h - a.gain24h);
    const all = [...gains.values()];
    return {
      at: now,
      flagged,
      maxGain1h: Math.max(0, ...all.map((g) => g.gain1h)),
      maxGain24h: Math.max(0, ...all.map((g) => g.gain24h)),
      maxGainRatio: Math.round(maxGainRatio * 100) / 100,
      last24h,
      dailyMedian14d,
      communityMemberBaseline,
      communityAnomalous: last24h >= t.minCommunityPoints && last24h >= t.factor * Math.max(dailyMedian14d, 1),
      adjustments24h,
      adjustedPoints24h,
    };
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
