import { isoWeek, type Connection, type LeaderboardEntry, type Member, type Stores } from '@engagement-tracker/core';

export interface MemberStats {
  discordId: string;
  member: Member | null;
  connection: Connection | null;
  allTime: LeaderboardEntry | null;
  weekly: LeaderboardEntry | null;
  week: string;
  /** Replies held back by the reply rules, by reason ("2 replies not counted: too short"). */
  rejectedReplies: Array<{ code: string; detail: string; count: number }>;
  banned: boolean;
}

/** Totals, weekly points, both ranks, tier, per-kind counts and link status of one member. */
export async function memberStats(stores: Stores, discordId: string, now: number): Promise<MemberStats> {
  const week = isoWeek(now);
  const [member, connection, allTime, weekly, rejectedReplies, banned] = await Promise.all([
    stores.members.get(discordId),
    stores.connections.get(discordId),
    stores.leaderboard.rank(discordId, { board: 'alltime' }),
    stores.leaderboard.rank(discordId, { board: 'weekly', week }),
    stores.review.rejectedReplies(discordId),
    stores.bans.isBanned(discordId),
  ]);
  return { discordId, member, connection, allTime, weekly, week, rejectedReplies, banned };
}
