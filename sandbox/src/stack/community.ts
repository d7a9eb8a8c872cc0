import type { Logger } from '@engagement-tracker/core';
import type { RegisteredCommand } from '../discord';
import type { XTweet } from '../x';
import type { SandboxDoubles } from './doubles';
import { ActivityPlan, type EngageKind, type PlanMember, type PlanOptions, type PlanPost } from './community-plan';
import { followOAuthLink, linksIn } from './follow-link';

export interface CommunityMember extends PlanMember {
  discordId: string;
  username: string;
  displayName: string;
  handle: string;
}

/** How the community acts (see ActivityPlan for the pacing options). */
export interface CommunityOptions extends PlanOptions {
  tickMs: number;
  logger: Logger;
  now?: () => number;
}

type Post = PlanPost & { tweet: XTweet };

export interface CommunityStats {
  members: number;
  linked: number;
  submitted: number;
  engagements: number;
  failures: number;
  /** Submissions the bot refused (limit, duplicate...). */
  refused: number;
}

const FIRST = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea', 'Milo', 'Nia', 'Otis', 'Pia', 'Quin', 'Rosa', 'Sam', 'Tao'];
const LAST = ['Stone', 'Rivers', 'Vale', 'Frost', 'Hale', 'Moss', 'Reed', 'Lake', 'Finch', 'Wren'];
const TOPICS = ['shipping v2 today', 'our roadmap thread', 'community call at 5pm', 'new docs are live', 'hiring: backend engineer', 'AMA tomorrow', 'bug bash results', 'weekly update'];

/** Deterministic pseudo-random numbers so a restarted stack replays the same community. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A simulated community acting through the product's real edges: members run /connect in the
 * Discord double and approve at the X double's consent page, post on X and /submit their posts,
 * and like, repost, reply to and quote each other's posts on X. The batch job then finds those
 * engagements the same way it would on the real X.
 */
export class Community {
  readonly members: CommunityMember[] = [];
  private readonly outside: Array<{ xUserId: string; handle: string }> = [];
  /** Posts the bot accepted, with who engaged how already. */
  private readonly submitted: Post[] = [];
  private readonly random = rng(42);
  private readonly plan: ActivityPlan<CommunityMember, Post>;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;
  private readonly counts = { submitted: 0, engagements: 0, failures: 0, refused: 0 };
  private readonly now: () => number;

  constructor(
    private readonly d: SandboxDoubles,
    private readonly opts: CommunityOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.plan = new ActivityPlan(opts, this.random);
  }

  /** Create the members in the Discord guild and their accounts on X, plus a few outside accounts. */
  seed(): void {
    for (let i = 0; i < this.opts.size; i++) this.addMember();

    for (const [i, handle] of ['projectnews', 'founder_jo', 'devrel_sam'].entries()) {
      const u = this.d.x.state.addUser({ id: String(1_600_000_000_000_000_000n + BigInt(i + 1)), username: handle, followers: 5000 });
      this.outside.push({ xUserId: u.id, handle });
    }
  }

  /**
   * A member of the guild with an account on X (not linked yet). The first two are the core team,
   * who submit the project's posts (exempt from the submit limit, as core members are).
   */
  private addMember(): CommunityMember {
    const i = this.members.length;
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
    const username = `${first.toLowerCase()}${i}`;
    const handle = `${first.toLowerCase()}_${last.toLowerCase()}${i}`;
    const discordId = String(110_000_000_000_000_000n + BigInt(i + 1));
    const core = i < 2;
    this.d.discord.members.add({ id: discordId, username, globalName: `${first} ${last}`, ...(core ? { roles: [this.d.coreRoleId] } : {}) });
    const x = this.d.x.state.addUser({ id: String(1_500_000_000_000_000_000n + BigInt(i + 1)), username: handle, name: `${first} ${last}` });
    const m: CommunityMember = { discordId, username, displayName: `${first} ${last}`, xUserId: x.id, handle, linked: false, core, submittedAt: [] };
    this.members.push(m);
    return m;
  }

  stats(): CommunityStats {
    return { members: this.members.length, linked: this.members.filter((m) => m.linked).length, ...this.counts };
  }

  /** Wait for the bot, link everyone, submit a first round of posts and engage; then keep acting. */
  async start(): Promise<void> {
    const log = this.opts.logger;
    await this.d.discord.waitForBot(120_000);
    await this.waitForCommands(['connect', 'submit'], 60_000);
    log.info({ members: this.members.length }, 'community: members are linking their X accounts');
    for (let i = 0; i < this.members.length && !this.stopped; i += 3) {
      await Promise.all(this.members.slice(i, i + 3).map((m) => this.link(m)));
    }
    const linked = this.members.filter((m) => m.linked);
    for (const m of linked.slice(0, Math.max(2, Math.ceil(linked.length / 2)))) {
      if (this.stopped) return;
      await this.submit(m);
    }
    for (let i = 0; i < linked.length * 2 && !this.stopped; i++) this.engage();
    this.plan.started(this.now());
    log.info(this.stats(), 'community: first round done');
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const a = this.plan.next(this.now(), this.members, this.submitted);
      if (a.kind === 'link') await this.link(a.member);
      // The community grows: a newcomer joins and links X (new engagement for every tracked post).
      else if (a.kind === 'join') await this.link(this.addMember());
      else if (a.kind === 'submit') await this.submit(a.member);
      else if (a.kind === 'engage') this.act(a.member, a.post, a.how);
    } catch (err) {
      this.counts.failures++;
      this.opts.logger.warn({ err }, 'community: action failed');
    } finally {
      this.busy = false;
    }
  }

  private pick<T>(items: T[]): T {
    return this.plan.pick(items);
  }

  private async waitForCommands(names: string[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!names.every((n) => this.command(n))) {
      if (Date.now() > until) throw new Error(`the bot did not register /${names.join(', /')} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private command(name: string): RegisteredCommand | undefined {
    return this.d.discord.state.findCommand(name, this.d.guildId) ?? this.d.discord.state.findCommand(name);
  }

  /** /connect, then approve on X as the member's account. */
  async link(m: CommunityMember): Promise<boolean> {
    try {
      const res = await this.d.discord.interact({ as: m.discordId, channel: this.d.channel, command: 'connect' });
      const msg = await res.reply(10_000);
      const link = linksIn(msg).find((u) => !u.startsWith('https://x.com/') && !u.startsWith('https://twitter.com/'));
      if (!link) throw new Error(`no link in the /connect reply: ${msg.content.slice(0, 200)}`);
      const end = await followOAuthLink(link, { xOrigin: new URL(this.d.x.url).origin, approveAs: m.xUserId });
      if (end.status >= 400) throw new Error(`linking ended with HTTP ${end.status} at ${end.url}: ${end.body.slice(0, 200)}`);
      m.linked = true;
      return true;
    } catch (err) {
      this.counts.failures++;
      this.opts.logger.warn({ member: m.username, err: (err as Error).message }, 'community: linking failed');
      return false;
    }
  }

  /** Post on X (own post or a project account's) and /submit its link. */
  async submit(m: CommunityMember): Promise<void> {
    const own = this.random() < 0.4;
    const author = own ? { xUserId: m.xUserId, handle: m.handle } : this.pick(this.outside);
    const tweet = this.d.x.state.addTweet({ authorId: author.xUserId, text: `${this.pick(TOPICS)} #${this.submitted.length + 1}`, impressions: 100 });
    const options: Record<string, string> = { url: `https://x.com/${author.handle}/status/${tweet.id}` };
    const category = this.command('submit')?.options?.find((o) => o.name === 'category');
    if (category?.choices?.length) options.category = String(this.pick(category.choices).value);
    this.plan.submitted(this.now());
    const res = await this.d.discord.interact({ as: m.discordId, channel: this.d.channel, command: 'submit', options });
    const reply = await res.reply(10_000);
    // Only what the bot accepted is tracked: engaging with a refused post would earn nothing.
    if (!/^Submitted!/.test(reply.content)) {
      this.counts.refused++;
      this.opts.logger.info({ member: m.username, reply: reply.content.slice(0, 120) }, 'community: submission refused');
      return;
    }
    m.submittedAt.push(this.now());
    this.submitted.push({ tweet, authorId: author.xUserId, at: this.now(), done: new Set() });
    this.counts.submitted++;
  }

  /** A linked member likes, reposts, replies to or quotes a tracked post on X, in a way they have not yet. */
  engage(): void {
    const a = this.plan.engagement(this.now(), this.members, this.submitted);
    if (a.kind === 'engage') this.act(a.member, a.post, a.how);
  }

  private act(m: CommunityMember, post: Post, how: EngageKind): void {
    const s = this.d.x.state;
    if (how === 'like') s.like(m.xUserId, post.tweet.id);
    else if (how === 'retweet') s.retweet(m.xUserId, post.tweet.id);
    else if (how === 'reply') s.reply(m.xUserId, post.tweet.id);
    else s.quote(m.xUserId, post.tweet.id);
    post.done.add(`${m.xUserId}|${how}`);
    this.counts.engagements++;
  }
}
