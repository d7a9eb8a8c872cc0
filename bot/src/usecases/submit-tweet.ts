import { parseTweetUrl, tweetUrl, type PublicMetrics, type Stores, type TrackedTweet } from '@engagement-tracker/core';

/** A tweet as one X lookup returns it. */
export interface LookedUpTweet {
  id: string;
  authorId: string;
  authorHandle: string;
  createdAt: number;
  text: string;
  metrics: PublicMetrics;
}
/** One X lookup by id; null when the tweet does not exist or is not visible. Throws when X is unavailable. */
export type TweetLookup = (tweetId: string) => Promise<LookedUpTweet | null>;

export type SubmitRefusal = 'bad_url' | 'bad_category' | 'duplicate' | 'rate_limited' | 'not_found' | 'too_old';
export type SubmitOutcome = { ok: true; tweet: TrackedTweet } | { ok: false; code: SubmitRefusal; message: string };

export interface SubmitDeps {
  stores: Stores;
  lookup: TweetLookup;
  categories: string[];
  limitPerDay: number;
  windowMs: number;
  now: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Accept a tweet for tracking: parse the link, refuse unknown categories and duplicates (before
 * spending quota), apply the per-member daily limit, look the tweet up once on X (exists, inside the
 * tracking window) and store it. Duplicates are refused again atomically by the store.
 */
export async function submitTweet(
  input: { url: string; category?: string | null; submitterId: string; submitterName: string; rateLimitExempt?: boolean },
  deps: SubmitDeps,
): Promise<SubmitOutcome> {
  const parsed = parseTweetUrl(input.url);
  if (!parsed.ok) return { ok: false, code: 'bad_url', message: parsed.reason };
  const category = input.category?.trim() || deps.categories[0]!;
  if (!deps.categories.includes(category)) {
    return { ok: false, code: 'bad_category', message: `Unknown category "${category}". Pick one of: ${deps.categories.join(', ')}.` };
  }
  const existing = await deps.stores.tweets.get(parsed.tweetId);
  if (existing) return duplicate(existing);
  if (!input.rateLimitExempt) {
    const rl = await deps.stores.rateLimit('submit', input.submitterId, deps.limitPerDay, DAY_MS);
    if (!rl.allowed) {
      return {
        ok: false,
        code: 'rate_limited',
        message: `You have reached the limit of ${deps.limitPerDay} submissions a day. You can submit again <t:${Math.ceil(rl.resetAt / 1000)}:R>.`,
      };
    }
  }
  const found = await deps.lookup(parsed.tweetId);
  if (!found) return { ok: false, code: 'not_found', message: 'That post does not exist on X, or it is protected or deleted.' };
  const hours = Math.round(deps.windowMs / 3_600_000);
  if (found.createdAt < deps.now() - deps.windowMs) {
    return { ok: false, code: 'too_old', message: `That post is older than ${hours} hours; only recent posts can be tracked.` };
  }
  await deps.stores.members.ensure(input.submitterId, input.submitterName);
  const res = await deps.stores.tweets.submit({
    tweetId: found.id,
    url: tweetUrl(found.id, found.authorHandle),
    authorId: found.authorId,
    authorHandle: found.authorHandle,
    submitterId: input.submitterId,
    category,
    createdAt: found.createdAt,
    text: found.text,
    metrics: found.metrics,
  });
  return res.ok ? { ok: true, tweet: res.tweet } : duplicate(res.existing);
}

function duplicate(existing: TrackedTweet): SubmitOutcome {
  return { ok: false, code: 'duplicate', message: `That post is already being tracked (submitted by <@${existing.submitterId}>).` };
}
