/**
 * X's pay-per-use read prices (USD per resource returned), the one table the batch planner, the
 * run's cost estimate, the X double's billing and the benchmark all use. X bills every distinct
 * resource a response contains once per UTC day ("soft guarantee").
 *
 * - post: every post in `data` or `includes.tweets`;
 * - user: every user in `data` (user lookups, liking_users, retweeted_by) or `includes.users`;
 * - like: X's pricing page also lists a like object. Which endpoints bill it is not documented, so
 *   every row of a like listing (liked_tweets, liking_users) is counted as one like object on top of
 *   the post or user it returns: never less than X could charge.
 */
export const X_PRICES = { post: 0.005, user: 0.01, like: 0.001 } as const;

export type BilledKind = keyof typeof X_PRICES;

/** Endpoints whose rows are like objects (billed as a like on top of the post or user). */
export const LIKE_LISTINGS = ['liked_tweets', 'liking_users'] as const;

/** Cost in USD of a number of billed resources, rounded to 1/10,000 of a dollar. */
export function xCost(n: { posts?: number; users?: number; likes?: number }): number {
  return Math.round(((n.posts ?? 0) * X_PRICES.post + (n.users ?? 0) * X_PRICES.user + (n.likes ?? 0) * X_PRICES.like) * 10_000) / 10_000;
}
