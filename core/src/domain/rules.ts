import { ENGAGEMENT_KINDS, TIERS, type EngagementKind, type Tier } from './tiers';

/** Points for each tier x kind. */
export type PointRules = Record<Tier, Record<EngagementKind, number>>;

export const MAX_RULE_POINTS = 1000;

/** The seed's table; quotes default to retweet points. */
export const DEFAULT_RULES: PointRules = {
  1: { like: 1, retweet: 2, reply: 3, quote: 2 },
  2: { like: 2, retweet: 4, reply: 6, quote: 4 },
  3: { like: 3, retweet: 6, reply: 9, quote: 6 },
};

export function validateRulePoints(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_RULE_POINTS) {
    throw new RangeError(`Points must be a whole number from 0 to ${MAX_RULE_POINTS} (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function cloneRules(rules: PointRules): PointRules {
  return {
    1: { ...rules[1] },
    2: { ...rules[2] },
    3: { ...rules[3] },
  };
}

export function pointsFor(rules: PointRules, tier: Tier, kind: EngagementKind): number {
  return rules[tier][kind];
}

/** Every (tier, kind) pair, in table order. */
export function ruleCells(): Array<{ tier: Tier; kind: EngagementKind }> {
  return TIERS.flatMap((tier) => ENGAGEMENT_KINDS.map((kind) => ({ tier, kind })));
}
