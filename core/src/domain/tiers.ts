/** Member tiers 1-3 and engagement kinds: pure definitions, no I/O. */
export const TIERS = [1, 2, 3] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_NAMES: Record<Tier, string> = { 1: 'Basic', 2: 'Active', 3: 'Power' };

export const ENGAGEMENT_KINDS = ['like', 'retweet', 'reply', 'quote'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

export function isTier(value: unknown): value is Tier {
  return value === 1 || value === 2 || value === 3;
}

export function parseTier(value: unknown): Tier {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (!isTier(n)) throw new RangeError(`Tier must be 1, 2 or 3 (got ${JSON.stringify(value)})`);
  return n;
}

export function isEngagementKind(value: unknown): value is EngagementKind {
  return typeof value === 'string' && (ENGAGEMENT_KINDS as readonly string[]).includes(value);
}
