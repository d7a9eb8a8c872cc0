/** Records as the admin API returns them (ra-data-simple-rest: every record carries `id`). */
export type Role = 'admin' | 'core';
export type Tier = 1 | 2 | 3;
export type EngagementKind = 'like' | 'retweet' | 'reply' | 'quote';
export const KINDS: EngagementKind[] = ['like', 'retweet', 'reply', 'quote'];
export const TIERS: Tier[] = [1, 2, 3];
export const TIER_NAMES: Record<Tier, string> = { 1: 'Basic', 2: 'Active', 3: 'Power' };

export interface Metrics {
  likes: number;
  retweets: number;
  replies: number;
  quotes: number;
}

export interface TweetRecord {
  id: string;
  tweetId: string;
  url: string;
  authorHandle: string;
  submitterId: string;
  submitterName?: string;
  category: string;
  status: 'active' | 'deleted' | 'unavailable';
  submittedAt: number;
  createdAt: number;
  metrics: Metrics;
  engagementCount: number;
  pointsAwarded: number;
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

export type BatchStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface BatchRecord {
  id: string;
  status: BatchStatus;
  trigger: 'schedule' | 'manual' | 'cli';
  startedAt: number;
  endedAt?: number | null;
  durationMs?: number | null;
  progress?: { done: number; total: number; phase: string };
  stats?: Record<string, number>;
  error?: string | null;
  jobName?: string | null;
}

export interface AuditRecord {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

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
export interface PointsLog {
  id: string;
  source: 'award' | 'adjustment';
  points: number;
  createdAt: number;
  week: string;
  tweetId?: string;
  kind?: EngagementKind;
  tier?: Tier;
  batchId?: string;
  reason?: string;
  actor?: string;
  revokedAt?: number;
}
