/** Negative integers returned by Lua scripts, mapped to meaning in one place. */
export enum ScriptErrorCode {
  StaleFence = -1,
  XAccountTaken = -2,
  NotFound = -3,
  LockHeld = -4,
  /** A held engagement already awarded or approved: it cannot be dismissed. */
  AlreadyResolved = -5,
  /** What the caller read to name the script's keys changed meanwhile: read again and retry. */
  Stale = -6,
  /** A season whose time and categories meet another season's. */
  SeasonClash = -7,
  /** A role reward rule whose role another rule rewards with the opposite removeWhenLost. */
  RoleRuleClash = -8,
  /** More role reward rules than a deployment may have. */
  TooMany = -9,
  /** A season that has started (or whose board has points) cannot be deleted nor change its start or categories; an ended one cannot change. */
  SeasonStarted = -10,
}

/** Per-engagement outcomes returned by awardEngagements. */
export const AWARD_OUTCOMES = ['duplicate', 'awarded', 'self', 'own_tweet', 'unknown_tweet', 'unknown_member', 'inactive_tweet', 'banned', 'held', 'dismissed'] as const;
export type AwardOutcome = (typeof AWARD_OUTCOMES)[number];
