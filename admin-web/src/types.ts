/**
 * Records as the admin API returns them (ra-data-simple-rest: every record carries `id`), built on the
 * domain types of core (pure code, safe in the browser).
 */
import type { Season, GuildRoleInfo, RoleRewardRule, RoleRuleStatus, AuditEntry, BatchRun, EngagementKind, EngagementLog, HeldItem, PublicMetrics, Tier, TrackedTweet } from '@engagement-tracker/core/domain';

export { ENGAGEMENT_KINDS as KINDS, TIERS, TIER_NAMES, type EngagementKind, type Tier } from '@engagement-tracker/core/domain';
export type Role = 'admin' | 'core';
export type Metrics = PublicMetrics;

export interface TweetRecord extends Pick<TrackedTweet, 'tweetId' | 'url' | 'authorHandle' | 'submitterId' | 'category' | 'status' | 'submittedAt' | 'createdAt' | 'metrics' | 'engagementCount' | 'pointsAwarded'> {
  id: string;
  submitterName?: string;
}

export type LinkStatus = 'linked' | 'needs_reconnect' | 'unlinked';

export interface MemberRecord {
  id: string;
  displayName: string;
  handle?: string | null;
  xUserId?: string | null;
  linkStatus: LinkStatus;
  tier: Tier;
  totalPoints: number;
  weeklyPoints: number;
  counts?: Partial<Record<EngagementKind, number>>;
  joinedAt: number;
  /** Present when listed with the "Anomalous" filter: points gained vs the member's baseline. */
  anomaly?: { gain1h: number; gain24h: number; adjusted24h: number; baselinePerDay: number } | null;
  ban?: { reason: string; actor: string; at: number } | null;
}

export interface LeaderboardRecord {
  id: string;
  rank: number;
  displayName: string;
  handle?: string | null;
  tier: Tier;
  points: number;
}

export interface RuleRecord extends Record<EngagementKind, number> {
  id: string;
}

export type BatchStatus = BatchRun['status'];

export interface BatchRecord extends Pick<BatchRun, 'id' | 'status' | 'trigger' | 'startedAt'> {
  endedAt?: number | null;
  durationMs?: number | null;
  progress?: BatchRun['progress'];
  stats?: BatchRun['stats'];
  error?: string | null;
  jobName?: string | null;
}

export type AuditRecord = AuditEntry;

export interface Overview {
  activeTweets: number;
  linkedMembers: number;
  topScore: number;
  lastRun: BatchRecord | null;
  pointsPerDay: Array<{ day: string; points: number }>;
}

export interface Identity {
  id: string;
  name: string;
  role: Role;
}

/** One line of a member's points history (an award found by a batch run, or an adjustment). */
export type PointsLog = Omit<EngagementLog, 'discordId' | 'revokedBy'>;

/** An engagement held back by the moderation rules (GET /api/review). */
export type HeldRecord = HeldItem;

export interface BanRecord {
  id: string;
  discordId: string;
  reason: string;
  actor: string;
  at: number;
}

export interface ModerationRecord {
  id: 'moderation';
  eligibility: { minXAccountAgeDays: number; minFollowers: number; requireUnprotected: boolean; minServerDays: number; requiredRoleIds: string[] };
  replies: { minWords: number; minChars: number; duplicateThreshold: number; blockedPhrases: string[] };
  relinkCooldownHours: number;
}

export const TOKEN_SCOPES = ['read', 'tweets:write', 'points:write', 'members:write', 'rules:write', 'batches:run'] as const;

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  scopes: Array<(typeof TOKEN_SCOPES)[number]>;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** only in the answer to the create request: shown once */
  token?: string;
}

export type SeasonRecord = Season;

/** A role reward rule with what the bot last found applying it (GET /api/role-rewards). */
export type RoleRewardRecord = RoleRewardRule & { status: Omit<RoleRuleStatus, 'ruleId'> };

/** A role of the guild as the bot published it (GET /api/role-rewards/discord-roles). */
export type DiscordRoleRecord = GuildRoleInfo & { everyone: boolean };
