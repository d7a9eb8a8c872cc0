/**
 * Where a strategy's money goes: every billed resource of every request the X double recorded,
 * priced (X_PRICES) and put under one reason, per run and per UTC day.
 *
 * - lookup: the member lookup (users); metrics: public_metrics of tracked posts;
 * - likes:tracked: a like of a tracked post by a member (what the read is for);
 * - likes:first: the rest of a member's first likes scan (history before linking);
 * - likes:new: untracked likes made since the member's previous likes read;
 * - likes:overshoot: untracked likes older than that read, never billed before (pages reaching below it);
 * - likes:reread: likes billed again on a fresh UTC day (read on an earlier day);
 * - search:tracked: members' reposts / replies / quotes of tracked posts; search:broad / search:narrow /
 *   search:fresh: untracked posts returned by broad (`is:retweet OR ...`), narrow (`from:` + tracked ids) and
 *   fresh-post (tracked ids only) queries; search:reread: posts billed again on a fresh UTC day;
 * - timelines:tracked / timelines:untracked / timelines:reread: members' own timelines;
 * - postSide: liking_users, retweeted_by, quote_tweets.
 */
import { X_PRICES } from '@engagement-tracker/core';
import { utcDay, type RecordedRequest, type Scenario } from '@engagement-tracker/sandbox/x';

export type Breakdown = Record<string, number>;

const round = (b: Breakdown): Breakdown =>
  Object.fromEntries(Object.entries(b).filter(([, v]) => v >= 0.005).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]));

export class CostBreakdown {
  private readonly tracked: Set<string>;
  private readonly members: Set<string>;
  /** Resources billed on some day, with the first day (a later billing is a re-read on a fresh day). */
  private readonly firstBilled = new Map<string, string>();
  /** Member -> time of the run that last read their likes; members whose first scan is done. */
  private readonly lastLikesRead = new Map<string, number>();
  private readonly days = new Map<string, Breakdown>();
  private readonly endpoints = new Map<string, Breakdown>();

  constructor(private readonly sc: Scenario) {
    this.tracked = new Set(sc.tracked.map((p) => p.tweet.id));
    this.members = new Set(sc.members.map((m) => m.id));
  }

  /** Price one run's requests (made at simulated time `t`); returns the run's breakdown. */
  run(t: number, requests: RecordedRequest[]): { reasons: Breakdown; endpoints: Breakdown } {
    const day = utcDay(t);
    const out: Breakdown = {};
    const byEndpoint: Breakdown = {};
    const readLikes = new Set<string>();
    const add = (reason: string, usd: number) => {
      out[reason] = (out[reason] ?? 0) + usd;
    };
    for (const r of requests) {
      if (r.costUsd > 0) byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + r.costUsd;
      if (r.endpoint === 'liked_tweets' && r.userId) readLikes.add(r.userId);
      const b = r.billed;
      if (!b) continue;
      const reread = (key: string) => {
        const first = this.firstBilled.get(key);
        if (first === undefined) this.firstBilled.set(key, day);
        return first !== undefined && first !== day;
      };
      if (r.endpoint === 'users_lookup' || r.endpoint === 'users_me') {
        add('lookup', b.users.length * X_PRICES.user);
      } else if (r.endpoint === 'tweets_lookup') {
        add('metrics', b.posts.length * X_PRICES.post);
      } else if (r.endpoint === 'liked_tweets') {
        const user = r.userId ?? '';
        const posts = new Set(b.posts);
        const priced = new Set<string>();
        for (const key of b.likes) {
          const post = key.slice(0, key.indexOf('|'));
          const usd = X_PRICES.like + (posts.has(post) && !priced.has(post) ? X_PRICES.post : 0);
          priced.add(post);
          const wasReread = reread(`like:${key}`);
          if (posts.has(post)) reread(`post:${post}`);
          add(this.likeReason(user, post, wasReread), usd);
        }
        for (const post of posts) if (!priced.has(post)) add(reread(`post:${post}`) ? 'likes:reread' : 'likes:new', X_PRICES.post);
      } else if (r.endpoint === 'search_recent' || r.endpoint === 'user_tweets') {
        const family = r.endpoint === 'search_recent' ? 'search' : 'timelines';
        const q = r.query.query ?? '';
        const kind = family === 'timelines' ? 'untracked' : q.includes('is:retweet') ? 'broad' : q.includes('from:') ? 'narrow' : 'fresh';
        for (const post of b.posts) {
          const again = reread(`post:${post}`);
          add(this.engagesTracked(post) ? `${family}:tracked` : again ? `${family}:reread` : `${family}:${kind}`, X_PRICES.post);
        }
        add(`${family}:users`, b.users.length * X_PRICES.user);
      } else {
        add('postSide', b.posts.length * X_PRICES.post + b.users.length * X_PRICES.user + b.likes.length * X_PRICES.like);
      }
    }
    for (const u of readLikes) this.lastLikesRead.set(u, t);
    const d = this.days.get(day) ?? {};
    for (const [k, v] of Object.entries(out)) d[k] = (d[k] ?? 0) + v;
    this.days.set(day, d);
    const e = this.endpoints.get(day) ?? {};
    for (const [k, v] of Object.entries(byEndpoint)) e[k] = (e[k] ?? 0) + v;
    this.endpoints.set(day, e);
    return { reasons: round(out), endpoints: round(byEndpoint) };
  }

  private likeReason(user: string, post: string, reread: boolean): string {
    if (this.tracked.has(post) && this.members.has(user)) return 'likes:tracked';
    if (reread) return 'likes:reread';
    const last = this.lastLikesRead.get(user);
    if (last === undefined) return 'likes:first';
    const list = this.sc.state.likesByUser.get(user) ?? [];
    let at = Infinity;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.id === post) {
        at = list[i]!.at;
        break;
      }
    }
    return at <= last ? 'likes:overshoot' : 'likes:new';
  }

  /** A member's repost, reply or quote of a tracked post. */
  private engagesTracked(id: string): boolean {
    const p = this.sc.state.tweets.get(id);
    if (!p || !this.members.has(p.authorId)) return false;
    return (!!p.referenced && this.tracked.has(p.referenced.id)) || (p.conversationId !== p.id && this.tracked.has(p.conversationId));
  }

  /** Per UTC day: USD by reason and by endpoint. */
  perDay(): Record<string, { reasons: Breakdown; endpoints: Breakdown }> {
    return Object.fromEntries([...this.days.keys()].sort().map((d) => [d, { reasons: round(this.days.get(d)!), endpoints: round(this.endpoints.get(d) ?? {}) }]));
  }
}
