import type { EngagementKind, Tier } from './tiers';

/** A Discord member known to the product. Ids are Discord snowflakes (strings). */
export interface Member {
  discordId: string;
  displayName: string;
  tier: Tier;
  totalPoints: number;
  /** Award counts per kind (adjustments not included). */
  counts: Record<EngagementKind, number>;
  joinedAt: number;
  updatedAt: number;
}

export type LinkStatus = 'linked' | 'needs_reconnect';

/** A member's X account link. Tokens are never part of this record (see XTokens). */
export interface Connection {
  discordId: string;
  xUserId: string;
  handle: string;
  scopes: string[];
  status: LinkStatus;
  linkedAt: number;
  updatedAt: number;
}

/** OAuth 2.0 user tokens of a member; stored encrypted at rest. */
export interface XTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  scopes: string[];
}

export type TweetStatus = 'active' | 'deleted' | 'unavailable';

export interface PublicMetrics {
  likes: number;
  retweets: number;
  replies: number;
  quotes: number;
}

export interface TrackedTweet {
  tweetId: string;
  url: string;
  authorId: string;
  authorHandle: string;
  submitterId: string;
  category: string;
  status: TweetStatus;
  submittedAt: number;
  /** When the tweet was posted on X (epoch ms). */
  createdAt: number;
  text?: string;
  metrics: PublicMetrics;
  pointsAwarded: number;
  engagementCount: number;
}

export interface Engagement {
  tweetId: string;
  discordId: string;
  kind: EngagementKind;
}

export type LogSource = 'award' | 'adjustment';

export interface EngagementLog {
  id: string;
  source: LogSource;
  discordId: string;
  points: number;
  /** ISO week the points were counted in. */
  week: string;
  createdAt: number;
  /** award only */
  tweetId?: string;
  kind?: EngagementKind;
  tier?: Tier;
  batchId?: string;
  /** adjustment only */
  reason?: string;
  actor?: string;
  /** set when the points were taken back (tweet deleted with revoke) */
  revokedAt?: number;
  revokedBy?: string;
  /** award inside a season: the season, its points there (multiplier and caps applied) and the multiplier in force */
  seasonId?: string;
  seasonPoints?: number;
  seasonMultiplierPct?: number;
}

/** `skipped`: another run held the batch lock, so this one did nothing (not a failure). */
export type BatchStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped';
export type BatchTrigger = 'schedule' | 'manual' | 'cli';

export interface BatchRun {
  id: string;
  status: BatchStatus;
  trigger: BatchTrigger;
  startedAt: number;
  endedAt?: number;
  /** Last time the run reported progress; a running run silent past its lease is reaped as failed. */
  heartbeatAt: number;
  progress: { done: number; total: number; phase: string };
  stats: Record<string, number>;
  error?: string;
  /** Kubernetes Job name when started by a Job. */
  jobName?: string;
  dryRun?: boolean;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface LeaderboardEntry {
  rank: number;
  discordId: string;
  points: number;
}
