/** Endpoints the double meters, with X's 15-minute limits (app-only / per user). */
export const ENDPOINT_LIMITS = {
  tweets_lookup: { app: 3500, user: 5000 },
  users_lookup: { app: 300, user: 900 },
  users_me: { app: 0, user: 75 },
  liking_users: { app: 75, user: 75 },
  retweeted_by: { app: 75, user: 75 },
  quote_tweets: { app: 75, user: 75 },
  search_recent: { app: 450, user: 300 },
  liked_tweets: { app: 75, user: 75 },
  user_tweets: { app: 10_000, user: 900 },
} as const;

export type EndpointName = keyof typeof ENDPOINT_LIMITS;
export type LimitOverrides = Partial<Record<EndpointName, { app?: number; user?: number }>>;

export const WINDOW_MS = 15 * 60_000;

interface Bucket {
  limit: number;
  remaining: number;
  resetAt: number;
}

/** Fixed 15-minute windows per (endpoint, app or user), as X reports them in x-rate-limit-* headers. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly overrides: LimitOverrides = {}) {}

  limitFor(endpoint: EndpointName, who: 'app' | 'user'): number {
    return this.overrides[endpoint]?.[who] ?? ENDPOINT_LIMITS[endpoint][who];
  }

  /** Count one request; `allowed` false means answer 429. */
  take(endpoint: EndpointName, who: 'app' | 'user', subject: string, now: number): { allowed: boolean; headers: Record<string, string> } {
    const key = `${endpoint}|${who}|${subject}`;
    let b = this.buckets.get(key);
    if (!b || b.resetAt <= now) {
      b = { limit: this.limitFor(endpoint, who), remaining: this.limitFor(endpoint, who), resetAt: now + WINDOW_MS };
      this.buckets.set(key, b);
    }
    const allowed = b.remaining > 0;
    if (allowed) b.remaining -= 1;
    return {
      allowed,
      headers: {
        'x-rate-limit-limit': String(b.limit),
        'x-rate-limit-remaining': String(b.remaining),
        'x-rate-limit-reset': String(Math.ceil(b.resetAt / 1000)),
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
