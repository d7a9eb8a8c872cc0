/** A community member as the plan sees them. */
export interface PlanMember {
  xUserId: string;
  linked: boolean;
  /** Core team: exempt from the daily submit limit, as in the product. */
  core: boolean;
  /** When this member's submissions were accepted (sliding 24 h). */
  submittedAt: number[];
}

/** A post the bot accepted, and who engaged with it how already (`xUserId|kind`). */
export interface PlanPost {
  authorId: string;
  at: number;
  done: Set<string>;
}

export type EngageKind = 'like' | 'retweet' | 'reply' | 'quote';

export type Action<M extends PlanMember, P extends PlanPost> =
  | { kind: 'link'; member: M }
  | { kind: 'join' }
  | { kind: 'submit'; member: M }
  | { kind: 'engage'; member: M; post: P; how: EngageKind }
  | { kind: 'idle' };

export interface PlanOptions {
  /** Members at the start; the community grows to three times this. */
  size: number;
  /** The bot's SUBMIT_RATE_LIMIT_PER_DAY. Default 10. */
  submitLimitPerDay?: number;
  /** At most one new post every this many ms. Default 3 minutes. */
  submitEveryMs?: number;
  /** A newcomer joins every this many ms. Default 15 minutes. */
  joinEveryMs?: number;
  /** Only posts submitted within this window are engaged with (the batch tracks 24 h). Default 20 h. */
  engageWindowMs?: number;
}

const DAY = 86_400_000;

/**
 * What the simulated community does next, within the product's real limits, so that `npm start`
 * left running keeps showing believable activity for hours: new posts at a steady pace from members
 * below the daily submit limit (or the core team, who are exempt), engagement only with tracked
 * posts and only in ways a member has not engaged yet (recent posts most), and a newcomer now and then.
 */
export class ActivityPlan<M extends PlanMember, P extends PlanPost> {
  private lastSubmitAt = 0;
  private lastJoinAt = 0;

  constructor(
    private readonly o: PlanOptions,
    private readonly random: () => number,
  ) {}

  /** The first round is done at `now`: pacing starts from here. */
  started(now: number): void {
    this.lastJoinAt = now;
  }

  /** A submission was sent at `now` (accepted or not). */
  submitted(now: number): void {
    this.lastSubmitAt = now;
  }

  canSubmit(m: M, now: number): boolean {
    m.submittedAt = m.submittedAt.filter((t) => now - t < DAY);
    return m.linked && (m.core || m.submittedAt.length < (this.o.submitLimitPerDay ?? 10));
  }

  next(now: number, members: M[], posts: P[]): Action<M, P> {
    const unlinked = members.find((m) => !m.linked);
    if (unlinked && this.random() < 0.1) return { kind: 'link', member: unlinked };
    if (now - this.lastJoinAt >= (this.o.joinEveryMs ?? 15 * 60_000) && members.length < this.o.size * 3) {
      this.lastJoinAt = now;
      return { kind: 'join' };
    }
    if (now - this.lastSubmitAt >= (this.o.submitEveryMs ?? 3 * 60_000)) {
      const authors = members.filter((m) => this.canSubmit(m, now));
      if (authors.length) return { kind: 'submit', member: this.pick(authors) };
    }
    return this.engagement(now, members, posts);
  }

  /** A linked member engages with a tracked post in a way they have not yet, or idle when none is left. */
  engagement(now: number, members: M[], posts: P[]): Action<M, P> {
    const linked = members.filter((m) => m.linked);
    const since = now - (this.o.engageWindowMs ?? 20 * 3_600_000);
    const tracked = posts.filter((p) => p.at >= since).slice(-30);
    if (!linked.length || !tracked.length) return { kind: 'idle' };
    const post = tracked[Math.floor(tracked.length * Math.sqrt(this.random()))]!;
    const r = this.random();
    const how: EngageKind = r < 0.55 ? 'like' : r < 0.75 ? 'retweet' : r < 0.92 ? 'reply' : 'quote';
    const who = linked.filter((m) => m.xUserId !== post.authorId && !post.done.has(`${m.xUserId}|${how}`));
    if (!who.length) return { kind: 'idle' };
    return { kind: 'engage', member: this.pick(who), post, how };
  }

  pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}
