import { ApiRequestError, ApiResponseError, type TwitterApiReadOnly, type TwitterApi } from 'twitter-api-v2';
import { X_PRICES, xCost } from '@engagement-tracker/core';
import { MemberThrottled, StopRun } from './errors';
import type { RunStats } from './stats';

export type XEndpoint = 'tweets_lookup' | 'users_lookup' | 'liked_tweets' | 'user_tweets' | 'liking_users' | 'retweeted_by' | 'quote_tweets' | 'search_recent';

export interface GatewayOptions {
  now: () => number;
  /** Stop (partial) once this many distinct posts + users were returned in the run. 0 = no cap. */
  maxBilledResources: number;
  /** Stop (partial) after this long. 0 = no cap. */
  deadlineAt: number;
  retries: number;
  backoffMs: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /**
   * Counts resources as X bills them (once per UTC day, across runs): returns how many of `ids` are
   * new that day. Without it the estimate counts each distinct resource of the run once.
   */
  billNew?: (day: string, kind: 'post' | 'user' | 'like', ids: string[]) => Promise<number>;
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

export interface XPage<T> {
  data: T[];
  includes?: { users?: Array<{ id: string }>; tweets?: Array<{ id: string }> };
  errors?: Array<{ resource_id?: string; value?: string; title?: string; detail?: string; resource_type?: string; type?: string }>;
  meta?: { next_token?: string; result_count?: number };
}

/** The Discord id when a request is sent with a member's token (subject `user:<discordId>`). */
const memberOf = (subject: string): string | null => (subject.startsWith('user:') ? subject.slice(5) : null);

const USER_ENDPOINTS = new Set<XEndpoint>(['users_lookup', 'liking_users', 'retweeted_by']);

/**
 * Every X call of a run goes through here: it refuses to send what the last rate-limit headers say
 * would be refused, retries 5xx and network errors with backoff and jitter, stops the run on an
 * app-wide 429 (a member's own bucket only skips that member: MemberThrottled), budget or wall
 * time, and counts requests and billable resources.
 */
export class XGateway {
  private readonly buckets = new Map<string, Bucket>();
  /** What the run has spent so far (USD, as X bills it when `billNew` is given). */
  costUsd(): number {
    return this.opts.billNew ? this.cost : xCost({ posts: this.posts.size, users: this.users.size, likes: this.likes.size });
  }

  /** Requests per window X allows, per endpoint and kind of token (`liked_tweets|user`), from the last headers. */
  private readonly limits = new Map<string, number>();
  private readonly posts = new Set<string>();
  private readonly users = new Set<string>();
  private readonly likes = new Set<string>();
  private cost = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: GatewayOptions, private readonly stats: RunStats) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  billed(): number {
    return this.posts.size + this.users.size + this.likes.size;
  }

  /** Requests per window X allows for this endpoint with a user's or the app's token (undefined until a response said). */
  windowLimit(endpoint: XEndpoint, kind: 'user' | 'app'): number | undefined {
    return this.limits.get(`${endpoint}|${kind}`);
  }

  /** How many requests the known window still allows (Infinity when unknown). */
  remaining(endpoint: XEndpoint, subject: string): number {
    const b = this.buckets.get(`${endpoint}|${subject}`);
    if (!b || b.resetAt <= this.opts.now()) return Infinity;
    return b.remaining;
  }

  async get<T>(endpoint: XEndpoint, client: TwitterApi | TwitterApiReadOnly, subject: string, path: string, query: Record<string, string | number>): Promise<XPage<T>> {
    this.checkBudget();
    const key = `${endpoint}|${subject}`;
    for (let attempt = 0; ; attempt++) {
      this.reserve(key, endpoint);
      this.stats.inc('requests');
      this.stats.inc(`requests_${endpoint}`);
      try {
        const res = await client.v2.get<XPage<T>>(path, query, { fullResponse: true });
        if (res.rateLimit) this.track(key, res.rateLimit);
        await this.count(endpoint, path, res.data);
        return { ...res.data, data: res.data.data ?? [] };
      } catch (err) {
        if (err instanceof ApiResponseError) {
          if (err.rateLimit) this.track(key, err.rateLimit);
          if (err.code === 429) {
            this.stats.inc('rateLimited');
            const resetAt = err.rateLimit ? err.rateLimit.reset * 1000 : this.opts.now() + 15 * 60_000;
            const member = memberOf(subject);
            // A member's own bucket (not the app's 24-hour allowance): only that member waits.
            if (member && err.rateLimit?.day?.remaining !== 0) {
              throw new MemberThrottled(member, endpoint, Math.max(resetAt, err.rateLimit?.userDay?.remaining === 0 ? err.rateLimit.userDay.reset * 1000 : 0));
            }
            throw new StopRun('rate_limited', `X answered 429 for ${endpoint}; window reopens ${new Date(resetAt).toISOString()}`, resetAt);
          }
          if (err.code < 500) throw err;
        } else if (!(err instanceof ApiRequestError)) {
          throw err;
        }
        if (attempt >= this.opts.retries) {
          this.stats.inc('errors');
          throw err;
        }
        this.stats.inc('retries');
        const wait = this.opts.backoffMs * 2 ** attempt;
        await this.sleep(wait / 2 + Math.random() * wait);
        this.checkBudget();
      }
    }
  }

  /**
   * Count a request against the known window before sending it, so concurrent requests (and
   * retries) never exceed what the last headers allowed; refuse to send when nothing is left.
   */
  private reserve(key: string, endpoint: XEndpoint): void {
    const b = this.buckets.get(key);
    if (!b || b.resetAt <= this.opts.now()) return;
    if (b.remaining <= 0) {
      this.stats.inc('refusedAvoided');
      const member = memberOf(key.slice(endpoint.length + 1));
      if (member) throw new MemberThrottled(member, endpoint, b.resetAt);
      throw new StopRun('rate_limited', `X rate limit for ${endpoint} is used up until ${new Date(b.resetAt).toISOString()}`, b.resetAt);
    }
    b.remaining -= 1;
  }

  /** Headers of a response: within one window, the lowest remaining wins (responses arrive out of order). */
  private track(key: string, rl: { limit?: number; remaining: number; reset: number }): void {
    const [endpoint, subject] = key.split('|');
    if (rl.limit !== undefined) this.limits.set(`${endpoint}|${subject?.startsWith('user:') ? 'user' : 'app'}`, rl.limit);
    const resetAt = rl.reset * 1000;
    const b = this.buckets.get(key);
    if (b && b.resetAt === resetAt) b.remaining = Math.min(b.remaining, rl.remaining);
    else if (!b || resetAt > b.resetAt) this.buckets.set(key, { remaining: rl.remaining, resetAt });
  }

  private checkBudget(): void {
    if (this.opts.signal?.aborted) throw new StopRun('cancelled', 'The run was asked to stop.');
    if (this.opts.deadlineAt && this.opts.now() >= this.opts.deadlineAt) throw new StopRun('wall_time', 'The run reached its maximum wall time (BATCH_MAX_WALL_SECONDS).');
    if (this.opts.maxBilledResources && this.billed() >= this.opts.maxBilledResources) {
      throw new StopRun('budget', `The run reached its budget of ${this.opts.maxBilledResources} billed posts and users (BATCH_MAX_BILLED_RESOURCES).`);
    }
  }

  /** Resources a response returned, and (with billNew) what X bills for them today: the run's cost. */
  private async count(endpoint: XEndpoint, path: string, body: XPage<unknown>): Promise<void> {
    const data = (Array.isArray(body.data) ? body.data : body.data ? [body.data] : []) as Array<{ id: string }>;
    const isUsers = USER_ENDPOINTS.has(endpoint);
    const posts = isUsers ? [] : data.map((d) => d.id);
    const users = isUsers ? data.map((d) => d.id) : [];
    for (const u of body.includes?.users ?? []) users.push(u.id);
    for (const t of body.includes?.tweets ?? []) posts.push(t.id);
    // Rows of a like listing are like objects too (see X_PRICES).
    const owner = path.split('/')[1] ?? '';
    const likes = endpoint === 'liked_tweets' ? data.map((d) => `${d.id}|${owner}`) : endpoint === 'liking_users' ? data.map((d) => `${owner}|${d.id}`) : [];
    for (const id of posts) this.posts.add(id);
    for (const id of users) this.users.add(id);
    for (const id of likes) this.likes.add(id);
    this.stats.set('billedPosts', this.posts.size);
    this.stats.set('billedUsers', this.users.size);
    this.stats.set('billedLikes', this.likes.size);
    if (this.opts.billNew) {
      const day = new Date(this.opts.now()).toISOString().slice(0, 10);
      const [p, u, l] = await Promise.all([this.opts.billNew(day, 'post', posts), this.opts.billNew(day, 'user', users), this.opts.billNew(day, 'like', likes)]);
      this.cost += p * X_PRICES.post + u * X_PRICES.user + l * X_PRICES.like;
      this.stats.set('costUsd', Math.round(this.cost * 10_000) / 10_000);
    } else {
      this.stats.set('costUsd', xCost({ posts: this.posts.size, users: this.users.size, likes: this.likes.size }));
    }
  }
}
