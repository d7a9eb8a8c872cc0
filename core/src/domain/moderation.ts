import type { EngagementKind } from './tiers';

/** Why an engagement was held back instead of awarded. */
export type HoldReason = 'ineligible' | 'reply';

/**
 * An engagement held back: recorded as not awarded with the reason. `code` is stable (e.g.
 * `too_short`, `min_followers`); `detail` says it in words for members and admins.
 */
export interface Hold {
  reason: HoldReason;
  code: string;
  detail: string;
  /** the reply's text (replies only), trimmed, for admins reviewing it */
  text?: string;
}

export type HeldStatus = 'held' | 'awarded' | 'approved' | 'dismissed';

/** One engagement held back, as the review queue shows it. */
export interface HeldItem {
  /** `{tweetId}:{discordId}:{kind}` */
  id: string;
  tweetId: string;
  discordId: string;
  kind: EngagementKind;
  reason: HoldReason;
  code: string;
  detail: string;
  text?: string;
  /** held: waiting; awarded: a later run awarded it (the member became eligible); approved / dismissed by an admin */
  status: HeldStatus;
  createdAt: number;
  updatedAt: number;
  batchId: string;
  resolvedAt?: number;
  resolvedBy?: string;
  note?: string;
}

export interface Ban {
  discordId: string;
  reason: string;
  actor: string;
  at: number;
}

export const heldId = (e: { tweetId: string; discordId: string; kind: string }): string => `${e.tweetId}:${e.discordId}:${e.kind}`;

/** `{tweetId}:{discordId}:{kind}` -> its parts, or null when it is not one. */
export function parseHeldId(id: string): { tweetId: string; discordId: string; kind: EngagementKind } | null {
  const m = /^(\d{1,20}):([A-Za-z0-9_-]{1,32}):(like|retweet|reply|quote)$/.exec(id);
  return m ? { tweetId: m[1]!, discordId: m[2]!, kind: m[3] as EngagementKind } : null;
}
