import { SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { cmpId, insertSorted, snowflake } from './ids';

export interface XUser {
  id: string;
  username: string;
  name: string;
  createdAt: number;
  protected: boolean;
  suspended: boolean;
  followers: number;
}

export type RefType = 'retweeted' | 'quoted' | 'replied_to';

export interface XTweet {
  id: string;
  authorId: string;
  text: string;
  createdAt: number;
  conversationId: string;
  inReplyToUserId?: string;
  referenced?: { type: RefType; id: string };
  deleted: boolean;
  /** Likes by accounts the double does not materialise (viral scenarios): counted, never listed. */
  hiddenLikes: number;
  impressions: number;
}

export interface LikeEntry {
  id: string;
  seq: number;
  at: number;
}

export interface IssuedToken {
  token: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface AuthCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: 'S256' | 'plain';
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface RefreshToken {
  token: string;
  userId: string;
  clientId: string;
  scopes: string[];
  family: string;
  used: boolean;
  revoked: boolean;
}

const rand = () => Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

/**
 * Everything the X double knows: accounts, posts, likes, OAuth grants, and a clock that tests can
 * move forward. Seed it with the add* helpers; the HTTP layer only reads it (and records likes via
 * the helpers too).
 */
export class XState {
  readonly users = new Map<string, XUser>();
  private readonly byUsername = new Map<string, string>();
  readonly tweets = new Map<string, XTweet>();
  /** user id -> own post ids, ascending */
  readonly timelines = new Map<string, string[]>();
  /** tweet id -> likers in like order (oldest first) */
  readonly likesByTweet = new Map<string, LikeEntry[]>();
  /** user id -> liked tweet ids in like order (oldest first) */
  readonly likesByUser = new Map<string, LikeEntry[]>();
  private readonly likeKeys = new Set<string>();
  /** tweet id -> retweet / quote / reply post ids, ascending */
  readonly retweetsOf = new Map<string, string[]>();
  readonly quotesOf = new Map<string, string[]>();
  readonly conversation = new Map<string, string[]>();
  /** every post id (search index); sorted ascending on demand by allIds() */
  private readonly ids: string[] = [];
  private idsSorted = true;

  readonly accessTokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly codes = new Map<string, AuthCode>();
  readonly appTokens = new Set<string>();
  /** Which account the authorize page approves as, when the request names none. */
  authorizeAs: string | null = null;
  private readonly approveByState = new Map<string, string>();
  /** OAuth client credentials; when empty any client id is accepted (sandbox). */
  readonly clients = new Map<string, string | undefined>();
  accessTokenTtlMs = 7_200_000;

  private offsetMs = 0;
  private likeSeq = 0;

  constructor(private readonly baseNow: () => number = Date.now) {}

  now(): number {
    return this.baseNow() + this.offsetMs;
  }

  /** Move the double's clock forward (rate-limit windows, token expiry, billing day, search window). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  // ---- seeding -------------------------------------------------------------------------------

  addUser(u: Partial<XUser> & { username: string; id?: string }): XUser {
    const user: XUser = {
      id: u.id ?? snowflake(this.now()),
      username: u.username,
      name: u.name ?? u.username,
      createdAt: u.createdAt ?? this.now() - 365 * 86_400_000,
      protected: u.protected ?? false,
      suspended: u.suspended ?? false,
      followers: u.followers ?? 100,
    };
    this.users.set(user.id, user);
    this.byUsername.set(user.username.toLowerCase(), user.id);
    return user;
  }

  userByUsername(username: string): XUser | undefined {
    const id = this.byUsername.get(username.toLowerCase());
    return id ? this.users.get(id) : undefined;
  }

  /** A user object for any id, inventing one for accounts the double never materialised. */
  userOrStub(id: string): XUser {
    return this.users.get(id) ?? { id, username: `user${id}`, name: `User ${id}`, createdAt: 0, protected: false, suspended: false, followers: 1 };
  }

  addTweet(t: { authorId: string; text?: string; id?: string; createdAt?: number; replyTo?: string; quoteOf?: string; impressions?: number }): XTweet {
    const createdAt = t.createdAt ?? this.now();
    const id = t.id ?? snowflake(createdAt);
    const tweet: XTweet = { id, authorId: t.authorId, text: t.text ?? `post ${id}`, createdAt, conversationId: id, deleted: false, hiddenLikes: 0, impressions: t.impressions ?? 0 };
    if (t.replyTo) {
      const parent = this.mustTweet(t.replyTo);
      tweet.conversationId = parent.conversationId;
      tweet.inReplyToUserId = parent.authorId;
      tweet.referenced = { type: 'replied_to', id: parent.id };
      this.push(this.conversation, parent.conversationId, id);
    } else if (t.quoteOf) {
      this.mustTweet(t.quoteOf);
      tweet.referenced = { type: 'quoted', id: t.quoteOf };
      this.push(this.quotesOf, t.quoteOf, id);
    }
    this.index(tweet);
    return tweet;
  }

  reply(userId: string, tweetId: string, at?: number, text = 'great post'): XTweet {
    return this.addTweet({ authorId: userId, replyTo: tweetId, text, createdAt: at });
  }

  quote(userId: string, tweetId: string, at?: number): XTweet {
    return this.addTweet({ authorId: userId, quoteOf: tweetId, text: 'look at this', createdAt: at });
  }

  retweet(userId: string, tweetId: string, at?: number): XTweet {
    const orig = this.mustTweet(tweetId);
    const createdAt = at ?? this.now();
    const id = snowflake(createdAt);
    const rt: XTweet = {
      id, authorId: userId, text: `RT @${this.userOrStub(orig.authorId).username}: ${orig.text}`.slice(0, 280), createdAt, conversationId: id,
      referenced: { type: 'retweeted', id: tweetId }, deleted: false, hiddenLikes: 0, impressions: 0,
    };
    this.push(this.retweetsOf, tweetId, id);
    this.index(rt);
    return rt;
  }

  like(userId: string, tweetId: string, at?: number): void {
    this.mustTweet(tweetId);
    const key = `${tweetId}|${userId}`;
    if (this.likeKeys.has(key)) return;
    this.likeKeys.add(key);
    const seq = ++this.likeSeq;
    const when = at ?? this.now();
    const byTweet = this.likesByTweet.get(tweetId) ?? [];
    byTweet.push({ id: userId, seq, at: when });
    this.likesByTweet.set(tweetId, byTweet);
    const byUser = this.likesByUser.get(userId) ?? [];
    byUser.push({ id: tweetId, seq, at: when });
    this.likesByUser.set(userId, byUser);
  }

  unlike(userId: string, tweetId: string): void {
    this.likeKeys.delete(`${tweetId}|${userId}`);
    const t = this.likesByTweet.get(tweetId);
    if (t) this.likesByTweet.set(tweetId, t.filter((e) => e.id !== userId));
    const u = this.likesByUser.get(userId);
    if (u) this.likesByUser.set(userId, u.filter((e) => e.id !== tweetId));
  }

  /** Likes from accounts nobody will ever look up: they move like_count but are never listed. */
  addHiddenLikes(tweetId: string, n: number): void {
    this.mustTweet(tweetId).hiddenLikes += n;
  }

  deleteTweet(tweetId: string): void {
    const t = this.mustTweet(tweetId);
    t.deleted = true;
  }

  suspendUser(userId: string): void {
    const u = this.users.get(userId);
    if (u) u.suspended = true;
  }

  /** Every post id, ascending (posts created back in time are sorted in when next asked for). */
  allIds(): readonly string[] {
    if (!this.idsSorted) {
      this.ids.sort(cmpId);
      this.idsSorted = true;
    }
    return this.ids;
  }

  // ---- derived -----------------------------------------------------------------------------------

  tweetMetrics(t: XTweet) {
    return {
      retweet_count: this.live(this.retweetsOf.get(t.id)),
      reply_count: this.live(this.conversation.get(t.id)),
      like_count: (this.likesByTweet.get(t.id)?.length ?? 0) + t.hiddenLikes,
      quote_count: this.live(this.quotesOf.get(t.id)),
      bookmark_count: 0,
      impression_count: t.impressions,
    };
  }

  userMetrics(u: XUser) {
    return {
      followers_count: u.followers,
      following_count: 100,
      tweet_count: this.live(this.timelines.get(u.id)),
      listed_count: 0,
      like_count: this.likesByUser.get(u.id)?.length ?? 0,
    };
  }

  // ---- OAuth ----------------------------------------------------------------------------------

  /** Approve the next authorization that carries this OAuth `state` as the given account. */
  approveAs(oauthState: string, xUserId: string): void {
    this.approveByState.set(oauthState, xUserId);
  }

  takeApproval(oauthState: string | undefined): string | null {
    if (!oauthState) return null;
    const id = this.approveByState.get(oauthState) ?? null;
    if (id) this.approveByState.delete(oauthState);
    return id;
  }

  /** Give a user a ready-made OAuth 2.0 token pair (for seeding members without the browser dance). */
  issueTokens(userId: string, scopes = ['tweet.read', 'users.read', 'like.read', 'offline.access'], clientId: string = SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID) {
    const access: IssuedToken = { token: `ua-${rand()}`, userId, scopes, expiresAt: this.now() + this.accessTokenTtlMs, revoked: false };
    this.accessTokens.set(access.token, access);
    let refresh: RefreshToken | undefined;
    if (scopes.includes('offline.access')) {
      refresh = { token: `ur-${rand()}`, userId, clientId, scopes, family: rand(), used: false, revoked: false };
      this.refreshTokens.set(refresh.token, refresh);
    }
    return { accessToken: access.token, refreshToken: refresh?.token, expiresAt: access.expiresAt, scopes, family: refresh?.family };
  }

  /** Rotate a refresh token (single use); replaying a used one revokes its whole family. */
  rotateRefresh(token: string, clientId: string): ReturnType<XState['issueTokens']> | { error: string } {
    const rt = this.refreshTokens.get(token);
    if (!rt || rt.revoked) return { error: 'Value passed for the token was invalid.' };
    if (rt.clientId !== clientId) return { error: 'Value passed for the token was invalid.' };
    if (rt.used) {
      this.revokeFamily(rt.family);
      return { error: 'Value passed for the token was invalid.' };
    }
    rt.used = true;
    const next = this.issueTokens(rt.userId, rt.scopes, rt.clientId);
    const nrt = next.refreshToken ? this.refreshTokens.get(next.refreshToken) : undefined;
    if (nrt) nrt.family = rt.family;
    return { ...next, family: rt.family };
  }

  revokeFamily(family: string): void {
    for (const rt of this.refreshTokens.values()) {
      if (rt.family !== family) continue;
      rt.revoked = true;
      for (const at of this.accessTokens.values()) if (at.userId === rt.userId) at.revoked = true;
    }
  }

  /** The member disconnected the app on X: every token of that user stops working. */
  revokeUser(userId: string): void {
    for (const at of this.accessTokens.values()) if (at.userId === userId) at.revoked = true;
    for (const rt of this.refreshTokens.values()) if (rt.userId === userId) rt.revoked = true;
  }

  /** Make a user's current access tokens expire now (to exercise refresh). */
  expireAccessTokens(userId: string): void {
    for (const at of this.accessTokens.values()) if (at.userId === userId) at.expiresAt = this.now() - 1;
  }

  // ---- internals --------------------------------------------------------------------------------

  mustTweet(id: string): XTweet {
    const t = this.tweets.get(id);
    if (!t) throw new Error(`X double: no tweet ${id}`);
    return t;
  }

  private live(ids: string[] | undefined): number {
    if (!ids) return 0;
    let n = 0;
    for (const id of ids) if (!this.tweets.get(id)?.deleted) n++;
    return n;
  }

  private push(map: Map<string, string[]>, key: string, id: string): void {
    const arr = map.get(key) ?? [];
    insertSorted(arr, id);
    map.set(key, arr);
  }

  private index(t: XTweet): void {
    if (this.tweets.has(t.id)) throw new Error(`X double: duplicate tweet id ${t.id}`);
    this.tweets.set(t.id, t);
    this.push(this.timelines, t.authorId, t.id);
    const last = this.ids[this.ids.length - 1];
    if (last && cmpId(last, t.id) > 0) this.idsSorted = false;
    this.ids.push(t.id);
  }
}
