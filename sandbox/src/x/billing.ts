import { X_PRICES, xCost } from '@engagement-tracker/core';

/** Pay-per-use prices (USD per resource returned): the product's one price table. */
export const PRICE_PER_POST = X_PRICES.post;
export const PRICE_PER_USER = X_PRICES.user;
export const PRICE_PER_LIKE = X_PRICES.like;

export interface BillingSummary {
  posts: number;
  users: number;
  likes: number;
  costUsd: number;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Ids newly billed by one response: posts, users and like objects (`tweetId|userId`). */
export interface BilledIds {
  posts: string[];
  users: string[];
  likes: string[];
}

interface Day {
  posts: Set<string>;
  users: Set<string>;
  likes: Set<string>;
}

/**
 * What X would bill: every distinct post, user and like object returned, counted once per UTC day
 * (X's "soft guarantee" deduplication).
 */
export class Billing {
  private readonly days = new Map<string, Day>();

  /** Record resources returned at `at`; returns how many were newly billable. */
  charge(at: number, postIds: Iterable<string>, userIds: Iterable<string>, likeKeys: Iterable<string> = []): { posts: number; users: number; likes: number } {
    const c = this.chargeIds(at, postIds, userIds, likeKeys);
    return { posts: c.posts.length, users: c.users.length, likes: c.likes.length };
  }

  /** Record resources returned at `at`; returns the ids newly billed (the rest were billed earlier that day). */
  chargeIds(at: number, postIds: Iterable<string>, userIds: Iterable<string>, likeKeys: Iterable<string> = []): BilledIds {
    const day = utcDay(at);
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = { posts: new Set(), users: new Set(), likes: new Set() }));
    const add = (set: Set<string>, ids: Iterable<string>) => {
      const out: string[] = [];
      for (const id of ids) {
        if (set.has(id)) continue;
        set.add(id);
        out.push(id);
      }
      return out;
    };
    return { posts: add(d.posts, postIds), users: add(d.users, userIds), likes: add(d.likes, likeKeys) };
  }

  /** Whether a resource was already billed on the UTC day of `at` (it would be free now). */
  billed(at: number, kind: 'posts' | 'users' | 'likes', id: string): boolean {
    return this.days.get(utcDay(at))?.[kind].has(id) ?? false;
  }

  /** Totals over every day, or one UTC day (`YYYY-MM-DD`). */
  summary(day?: string): BillingSummary {
    let posts = 0;
    let users = 0;
    let likes = 0;
    for (const [k, d] of this.days) {
      if (day && k !== day) continue;
      posts += d.posts.size;
      users += d.users.size;
      likes += d.likes.size;
    }
    return { posts, users, likes, costUsd: cost(posts, users, likes) };
  }

  /** UTC days with something billed, oldest first. */
  dayList(): string[] {
    return [...this.days.keys()].sort();
  }

  reset(): void {
    this.days.clear();
  }
}

export function cost(posts: number, users: number, likes = 0): number {
  return xCost({ posts, users, likes });
}
