import { isoWeek, periodOf, type Connection, type LeaderboardEntry, type Member, type Stores } from '@engagement-tracker/core';

export interface MemberStats {
  discordId: string;
  member: Member | null;
  connection: Connection | null;
  allTime: LeaderboardEntry | null;
  weekly: LeaderboardEntry | null;
  week: string;
  /** Today's and this month's board (UTC), and the running season's (one per category set; the first shown). */
  daily: LeaderboardEntry | null;
  monthly: LeaderboardEntry | null;
  season: { name: string; entry: LeaderboardEntry | null } | null;
  /** Replies held back by the reply rules, by reason ("2 replies not counted: too short"). */
  rejectedReplies: Array<{ code: string; detail: string; count: number }>;
  banned: boolean;
}

/** Totals, weekly points, both ranks, tier, per-kind counts and link status of one member. */
export async function memberStats(stores: Stores, discordId: string, now: number): Promise<MemberStats> {
  const week = isoWeek(now);
  const [member, connection, allTime, weekly, rejectedReplies, banned, daily, monthly, running] = await Promise.all([
    stores.members.get(discordId),
    stores.connections.get(discordId),
    stores.leaderboard.rank(discordId, { board: 'alltime' }),
    stores.leaderboard.rank(discordId, { board: 'weekly', week }),
    stores.review.rejectedReplies(discordId),
    stores.bans.isBanned(discordId),
    stores.leaderboard.rank(discordId, { board: 'daily', period: periodOf('day', now) }),
    stores.leaderboard.rank(discordId, { board: 'monthly', period: periodOf('month', now) }),
    stores.seasons.running(now),
  ]);
  const current = running[0];
  const season = current ? { name: current.name, entry: await stores.leaderboard.rank(discordId, { board: 'season', season: current.id }) } : null;
  return { discordId, member, connection, allTime, weekly, week, daily, monthly, season, rejectedReplies, banned };
}
