import type { Logger } from '@engagement-tracker/core';
import type { RegisteredCommand } from '../discord';
import type { XTweet } from '../x';
import type { SandboxDoubles } from './doubles';
import { followOAuthLink, linksIn } from './follow-link';

export interface CommunityMember {
  discordId: string;
  username: string;
  displayName: string;
  xUserId: string;
  handle: string;
  linked: boolean;
}

export interface CommunityStats {
  members: number;
  linked: number;
  submitted: number;
  engagements: number;
  failures: number;
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
  private readonly submitted: Array<{ tweet: XTweet; authorId: string }> = [];
  private readonly random = rng(42);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;
  private readonly counts = { submitted: 0, engagements: 0, failures: 0 };

  constructor(
    private readonly d: SandboxDoubles,
    private readonly opts: { size: number; tickMs: number; logger: Logger },
  ) {}

  /** Create the members in the Discord guild and their accounts on X, plus a few outside accounts. */
  seed(): void {
    for (let i = 0; i < this.opts.size; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
      const username = `${first.toLowerCase()}${i}`;
      const handle = `${first.toLowerCase()}_${last.toLowerCase()}${i}`;
      const discordId = String(110_000_000_000_000_000n + BigInt(i + 1));
      this.d.discord.members.add({ id: discordId, username, globalName: `${first} ${last}` });
      const x = this.d.x.state.addUser({ id: String(1_500_000_000_000_000_000n + BigInt(i + 1)), username: handle, name: `${first} ${last}` });
      this.members.push({ discordId, username, displayName: `${first} ${last}`, xUserId: x.id, handle, linked: false });
    }
    for (const [i, handle] of ['projectnews', 'founder_jo', 'devrel_sam'].entries()) {
      const u = this.d.x.state.addUser({ id: String(1_600_000_000_000_000_000n + BigInt(i + 1)), username: handle, followers: 5000 });
      this.outside.push({ xUserId: u.id, handle });
    }
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
      const r = this.random();
      const unlinked = this.members.filter((m) => !m.linked);
      const linked = this.members.filter((m) => m.linked);
      if (unlinked.length && r < 0.1) await this.link(unlinked[0]!);
      else if (linked.length && r < 0.25) await this.submit(this.pick(linked));
      else this.engage();
    } catch (err) {
      this.counts.failures++;
      this.opts.logger.warn({ err }, 'community: action failed');
    } finally {
      this.busy = false;
    }
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
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
    const res = await this.d.discord.interact({ as: m.discordId, channel: this.d.channel, command: 'submit', options });
    await res.reply(10_000);
    this.submitted.push({ tweet, authorId: author.xUserId });
    this.counts.submitted++;
  }

  /** A linked member likes, reposts, replies to or quotes a submitted post on X. */
  engage(): void {
    const linked = this.members.filter((m) => m.linked);
    if (!linked.length || !this.submitted.length) return;
    const { tweet, authorId } = this.pick(this.submitted.slice(-20));
    const m = this.pick(linked.filter((x) => x.xUserId !== authorId).length ? linked.filter((x) => x.xUserId !== authorId) : linked);
    const r = this.random();
    const s = this.d.x.state;
    if (r < 0.55) s.like(m.xUserId, tweet.id);
    else if (r < 0.75) s.retweet(m.xUserId, tweet.id);
    else if (r < 0.92) s.reply(m.xUserId, tweet.id);
    else s.quote(m.xUserId, tweet.id);
    this.counts.engagements++;
  }
}
