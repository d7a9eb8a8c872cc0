import { ApiRequestError, ApiResponseError, type TwitterApiReadOnly, type TwitterApi } from 'twitter-api-v2';
import { StopRun } from './errors';
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
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

export interface XPage<T> {
  data: T[];
  includes?: { users?: Array<{ id: string }>; tweets?: Array<{ id: string }> };
  errors?: Array<{ resource_id?: string; value?: string; title?: string; detail?: string; resource_type?: string }>;
  meta?: { next_token?: string; result_count?: number };
}

const USER_ENDPOINTS = new Set<XEndpoint>(['users_lookup', 'liking_users', 'retweeted_by']);

/**
 * Every X call of a run goes through here: it refuses to send what the last rate-limit headers say
 * would be refused, retries 5xx and network errors with backoff and jitter, stops the run on 429,
 * budget or wall time, and counts requests and billable resources.
 */
export class XGateway {
  private readonly buckets = new Map<string, Bucket>();
  private readonly posts = new Set<string>();
  private readonly users = new Set<string>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: GatewayOptions, private readonly stats: RunStats) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  billed(): number {
    return this.posts.size + this.users.size;
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
        this.count(endpoint, res.data);
        return { ...res.data, data: res.data.data ?? [] };
      } catch (err) {
        if (err instanceof ApiResponseError) {
          if (err.rateLimit) this.track(key, err.rateLimit);
          if (err.code === 429) {
            this.stats.inc('rateLimited');
            const resetAt = err.rateLimit ? err.rateLimit.reset * 1000 : this.opts.now() + 15 * 60_000;
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
      throw new StopRun('rate_limited', `X rate limit for ${endpoint} is used up until ${new Date(b.resetAt).toISOString()}`, b.resetAt);
    }
    b.remaining -= 1;
  }

  /** Headers of a response: within one window, the lowest remaining wins (responses arrive out of order). */
  private track(key: string, rl: { remaining: number; reset: number }): void {
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

  private count(endpoint: XEndpoint, body: XPage<unknown>): void {
    const data = (Array.isArray(body.data) ? body.data : body.data ? [body.data] : []) as Array<{ id: string }>;
    const target = USER_ENDPOINTS.has(endpoint) ? this.users : this.posts;
    for (const d of data) target.add(d.id);
    for (const u of body.includes?.users ?? []) this.users.add(u.id);
    for (const t of body.includes?.tweets ?? []) this.posts.add(t.id);
    this.stats.set('billedPosts', this.posts.size);
    this.stats.set('billedUsers', this.users.size);
    this.stats.set('costUsd', Math.round((this.posts.size * 0.005 + this.users.size * 0.01) * 10_000) / 10_000);
  }
}
