/** Pay-per-use prices (USD per resource returned), from X's 2026 pricing. */
export const PRICE_PER_POST = 0.005;
export const PRICE_PER_USER = 0.01;

export interface BillingSummary {
  posts: number;
  users: number;
  costUsd: number;
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What X would bill: every distinct post and user returned, counted once per UTC day
 * (X's "soft guarantee" deduplication).
 */
export class Billing {
  private readonly days = new Map<string, { posts: Set<string>; users: Set<string> }>();

  /** Record resources returned at `at`; returns how many were newly billable. */
  charge(at: number, postIds: Iterable<string>, userIds: Iterable<string>): { posts: number; users: number } {
    const day = utcDay(at);
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = { posts: new Set(), users: new Set() }));
    let posts = 0;
    let users = 0;
    for (const id of postIds) {
      if (d.posts.has(id)) continue;
      d.posts.add(id);
      posts++;
    }
    for (const id of userIds) {
      if (d.users.has(id)) continue;
      d.users.add(id);
      users++;
    }
    return { posts, users };
  }

  /** Totals over every day, or one UTC day (`YYYY-MM-DD`). */
  summary(day?: string): BillingSummary {
    let posts = 0;
    let users = 0;
    for (const [k, d] of this.days) {
      if (day && k !== day) continue;
      posts += d.posts.size;
      users += d.users.size;
    }
    return { posts, users, costUsd: cost(posts, users) };
  }

  reset(): void {
    this.days.clear();
  }
}

export function cost(posts: number, users: number): number {
  return Math.round((posts * PRICE_PER_POST + users * PRICE_PER_USER) * 10_000) / 10_000;
}
