import { SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Billing, cost, type BilledIds } from './billing';
import { decodeToken, encodeToken, invalidRequest, json, maxResults, problem, type Reply } from './http';
import { cmpId } from './ids';
import { authorize, revoke, token } from './oauth';
import { RateLimiter, type EndpointName, type LimitOverrides } from './rate-limits';
import { fieldsOf, includesFor, renderTweet, renderUser, tweetError, userError, visible, type Fields } from './render';
import { parseSearch, type QueryError } from './search-query';
import { XState, type XTweet, type XUser } from './state';

export interface XDoubleOptions {
  port?: number;
  host?: string;
  /** Per-endpoint 15-minute limits (app / user) replacing X's defaults. */
  limits?: LimitOverrides;
  /** Base clock (epoch ms); state.advance() moves the double's clock past it. */
  now?: () => number;
  /** Bearer tokens accepted as app-only. */
  appTokens?: string[];
  /** Treat any unknown bearer token as app-only (sandbox convenience). Default true. */
  anyBearerIsApp?: boolean;
  /** OAuth clients (id -> secret, undefined for public clients). Empty: any client id. */
  clients?: Record<string, string | undefined>;
  /** The account the authorize page approves as by default. */
  authorizeAs?: string;
  /** Reuse a state (e.g. from a scenario). */
  state?: XState;
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  endpoint: EndpointName | 'oauth' | 'other';
  query: Record<string, string>;
  auth: 'app' | 'user' | 'none';
  userId?: string;
  status: number;
  returnedPosts: number;
  returnedUsers: number;
  billedPosts: number;
  billedUsers: number;
  /** Like objects billed (rows of liked_tweets / liking_users). */
  billedLikes: number;
  /** USD newly billed by this response. */
  costUsd: number;
  /** What this response newly billed, by id (for the bench's cost breakdown). */
  billed?: BilledIds;
}

export interface Fault {
  /** Unset: any API endpoint; 'oauth' (the token endpoint) only when named. */
  endpoint?: EndpointName | 'oauth';
  status?: number;
  delayMs?: number;
  /** Close the connection without answering (what a reset or a dropped keep-alive looks like). */
  close?: boolean;
  /** Headers of the fault's answer, over the rate-limit ones (e.g. `x-app-limit-24hour-remaining: 0`). */
  headers?: Record<string, string>;
  count: number;
}

export interface XDouble {
  url: string;
  state: XState;
  requests: RecordedRequest[];
  billing: Billing;
  limits: RateLimiter;
  /** Answer the next `count` matching requests with `status` (default 503) or delay them. */
  fail(f: Partial<Fault> & { count?: number }): void;
  /** Drop every fault not yet used up (X is healthy again). */
  clearFaults(): void;
  /** Recorded requests, optionally only those to one endpoint. */
  requestsTo(endpoint?: RecordedRequest['endpoint']): RecordedRequest[];
  close(): Promise<void>;
}

interface Ctx {
  s: XState;
  url: URL;
  q: URLSearchParams;
  f: Fields;
  auth: { kind: 'app' } | { kind: 'user'; userId: string; scopes: string[] };
  viewer: string | null;
}

type Handler = (c: Ctx, m: RegExpMatchArray) => Reply;

const SEARCH_WINDOW_MS = 7 * 86_400_000;
const USER_TIMELINE_CAP = 3200;

const listMeta = (items: { id: string }[], next?: string) => ({
  result_count: items.length,
  ...(items.length ? { newest_id: items[0]!.id, oldest_id: items[items.length - 1]!.id } : {}),
  ...(next ? { next_token: next } : {}),
});

function tweetList(c: Ctx, tweets: XTweet[], next?: string): Reply {
  const body: Record<string, unknown> = { meta: listMeta(tweets, next) };
  if (tweets.length) body.data = tweets.map((t) => renderTweet(c.s, t, c.f));
  const inc = includesFor(c.s, tweets, c.f, c.viewer);
  if (inc && tweets.length) body.includes = inc;
  return json(200, body);
}

function userList(c: Ctx, users: XUser[], next?: string): Reply {
  const body: Record<string, unknown> = { meta: { result_count: users.length, ...(next ? { next_token: next } : {}) } };
  if (users.length) body.data = users.map((u) => renderUser(c.s, u, c.f));
  return json(200, body);
}

/** Page through ids sorted newest first, with an id-anchored token. */
function pageIds(ids: string[], q: URLSearchParams, size: number): { page: string[]; next?: string } {
  const anchor = decodeToken(q.get('pagination_token') ?? q.get('next_token'), 'i');
  const from = anchor ? ids.findIndex((id) => cmpId(id, anchor) < 0) : 0;
  if (from < 0) return { page: [] };
  const page = ids.slice(from, from + size);
  const more = from + size < ids.length;
  return { page, next: more ? encodeToken('i', page[page.length - 1]!) : undefined };
}

/** Page through like entries newest first, with a like-sequence token. */
function pageLikes<T extends { seq: number }>(entries: T[], q: URLSearchParams, size: number): { page: T[]; next?: string } {
  const anchor = decodeToken(q.get('pagination_token'), 'l');
  const newestFirst = [...entries].reverse();
  const from = anchor ? newestFirst.findIndex((e) => e.seq < Number(anchor)) : 0;
  if (from < 0) return { page: [] };
  const page = newestFirst.slice(from, from + size);
  const more = from + size < newestFirst.length;
  return { page, next: more ? encodeToken('l', String(page[page.length - 1]!.seq)) : undefined };
}

const forbidden = (detail: string) => problem(403, 'Forbidden', detail, 'https://api.twitter.com/2/problems/not-authorized-for-resource');
const needUser = (c: Ctx): Reply | null =>
  c.auth.kind === 'user' ? null : forbidden('Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].');

function needScopes(c: Ctx, ...scopes: string[]): Reply | null {
  if (c.auth.kind !== 'user') return null;
  const missing = scopes.filter((s) => !(c.auth as { scopes: string[] }).scopes.includes(s));
  return missing.length ? forbidden(`Missing OAuth 2.0 scopes: ${missing.join(', ')}.`) : null;
}

function timeBounds(c: Ctx): { since?: string; until?: string; start?: number; end?: number } | Reply {
  const out: { since?: string; until?: string; start?: number; end?: number } = {};
  const since = c.q.get('since_id');
  const until = c.q.get('until_id');
  if (since) out.since = since;
  if (until) out.until = until;
  for (const k of ['start_time', 'end_time'] as const) {
    const v = c.q.get(k);
    if (!v) continue;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) return invalidRequest(`Invalid ${k}: ${v}`, { [k]: [v] });
    if (k === 'start_time') out.start = ms;
    else out.end = ms;
  }
  return out;
}

function inBounds(t: XTweet, b: { since?: string; until?: string; start?: number; end?: number }): boolean {
  if (b.since && cmpId(t.id, b.since) <= 0) return false;
  if (b.until && cmpId(t.id, b.until) >= 0) return false;
  if (b.start !== undefined && t.createdAt < b.start) return false;
  if (b.end !== undefined && t.createdAt >= b.end) return false;
  return true;
}

const routes: Array<{ re: RegExp; endpoint: EndpointName; handle: Handler }> = [
  {
    re: /^\/2\/users\/me$/,
    endpoint: 'users_me',
    handle: (c) => {
      const deny = needUser(c) ?? needScopes(c, 'users.read');
      if (deny) return deny;
      return json(200, { data: renderUser(c.s, c.s.userOrStub(c.viewer!), c.f) });
    },
  },
  {
    re: /^\/2\/users\/by\/username\/([A-Za-z0-9_]{1,15})$/,
    endpoint: 'users_lookup',
    handle: (c, m) => {
      const u = c.s.userByUsername(m[1]!);
      if (!u || u.suspended) return json(200, { errors: [userError(m[1]!, !!u?.suspended, 'username')] });
      return json(200, { data: renderUser(c.s, u, c.f) });
    },
  },
  {
    re: /^\/2\/users\/by$/,
    endpoint: 'users_lookup',
    handle: (c) => {
      const names = (c.q.get('usernames') ?? '').split(',').filter(Boolean);
      if (!names.length || names.length > 100) return invalidRequest('usernames must list 1 to 100 usernames', { usernames: [c.q.get('usernames') ?? ''] });
      const data: XUser[] = [];
      const errors: unknown[] = [];
      for (const n of names) {
        const u = c.s.userByUsername(n);
        if (u && !u.suspended) data.push(u);
        else errors.push(userError(n, !!u?.suspended, 'usernames'));
      }
      return json(200, { ...(data.length ? { data: data.map((u) => renderUser(c.s, u, c.f)) } : {}), ...(errors.length ? { errors } : {}) });
    },
  },
  {
    re: /^\/2\/users$/,
    endpoint: 'users_lookup',
    handle: (c) => {
      const ids = (c.q.get('ids') ?? '').split(',').filter(Boolean);
      if (!ids.length || ids.length > 100) return invalidRequest('ids must list 1 to 100 user ids', { ids: [c.q.get('ids') ?? ''] });
      const data: XUser[] = [];
      const errors: unknown[] = [];
      for (const id of ids) {
        const u = c.s.users.get(id);
        if (u && !u.suspended) data.push(u);
        else errors.push(userError(id, !!u?.suspended));
      }
      return json(200, { ...(data.length ? { data: data.map((u) => renderUser(c.s, u, c.f)) } : {}), ...(errors.length ? { errors } : {}) });
    },
  },
  {
    re: /^\/2\/users\/(\d+)\/liked_tweets$/,
    endpoint: 'liked_tweets',
    handle: (c, m) => {
      const deny = needUser(c) ?? needScopes(c, 'like.read', 'tweet.read', 'users.read');
      if (deny) return deny;
      if (c.viewer !== m[1]) return forbidden('Likes are private: a user can only list their own liked posts.');
      // X's sources disagree (5-100 in the current OpenAPI, 10-100 elsewhere): the double takes the stricter.
      const size = maxResults(c.q, 10, 100, 100);
      if (typeof size !== 'number') return size;
      const entries = (c.s.likesByUser.get(m[1]!) ?? []).filter((e) => {
        const t = c.s.tweets.get(e.id);
        return !!t && visible(c.s, t, c.viewer);
      });
      const { page, next } = pageLikes(entries, c.q, size);
      return tweetList(c, page.map((e) => c.s.tweets.get(e.id)!), next);
    },
  },
  {
    re: /^\/2\/users\/(\d+)\/tweets$/,
    endpoint: 'user_tweets',
    handle: (c, m) => {
      const u = c.s.users.get(m[1]!);
      if (!u || u.suspended) return json(200, { errors: [userError(m[1]!, !!u?.suspended, 'id')] });
      if (u.protected && c.viewer !== u.id) return json(200, { errors: [{ ...userError(u.id, false, 'id'), title: 'Authorization Error', detail: `Sorry, you are not authorized to see the user with id: [${u.id}].`, type: 'https://api.twitter.com/2/problems/not-authorized-for-resource' }] });
      const size = maxResults(c.q, 5, 100, 10);
      if (typeof size !== 'number') return size;
      const b = timeBounds(c);
      if ('status' in b) return b;
      const all = c.s.timelines.get(u.id) ?? [];
      const recent = all.slice(-USER_TIMELINE_CAP).filter((id) => !c.s.tweets.get(id)!.deleted).reverse();
      const ids = recent.filter((id) => inBounds(c.s.tweets.get(id)!, b));
      const { page, next } = pageIds(ids, c.q, size);
      return tweetList(c, page.map((id) => c.s.tweets.get(id)!), next);
    },
  },
  {
    re: /^\/2\/users\/(\d+)$/,
    endpoint: 'users_lookup',
    handle: (c, m) => {
      const u = c.s.users.get(m[1]!);
      if (!u || u.suspended) return json(200, { errors: [userError(m[1]!, !!u?.suspended, 'id')] });
      return json(200, { data: renderUser(c.s, u, c.f) });
    },
  },
  {
    re: /^\/2\/tweets\/search\/recent$/,
    endpoint: 'search_recent',
    handle: (c) => {
      const size = maxResults(c.q, 10, 100, 10);
      if (typeof size !== 'number') return size;
      const b = timeBounds(c);
      if ('status' in b) return b;
      const floor = c.s.now() - SEARCH_WINDOW_MS;
      if (b.start !== undefined && b.start < floor) {
        return invalidRequest(`Invalid 'start_time':'${c.q.get('start_time')}'. 'start_time' must be on or after ${new Date(floor).toISOString()}`, { start_time: [c.q.get('start_time')!] });
      }
      let parsed;
      try {
        parsed = parseSearch(c.q.get('query') ?? '');
      } catch (err) {
        return invalidRequest(`There were errors processing your request: ${(err as QueryError).message}`, { query: [c.q.get('query') ?? ''] });
      }
      const ids: string[] = [];
      const keep = (t: XTweet) => t.createdAt >= floor && (b.start === undefined || t.createdAt >= b.start) && visible(c.s, t, c.viewer) && inBounds(t, b) && parsed.match(t, c.s);
      const candidates = parsed.candidates(c.s);
      if (candidates) {
        for (const id of candidates) if (keep(c.s.tweets.get(id)!)) ids.push(id);
        ids.sort((x, y) => cmpId(y, x));
      } else {
        const all = c.s.allIds();
        for (let i = all.length - 1; i >= 0; i--) {
          const t = c.s.tweets.get(all[i]!)!;
          if (t.createdAt < floor || (b.start !== undefined && t.createdAt < b.start)) break;
          if (keep(t)) ids.push(t.id);
        }
      }
      const { page, next } = pageIds(ids, c.q, size);
      return tweetList(c, page.map((id) => c.s.tweets.get(id)!), next);
    },
  },
  {
    re: /^\/2\/tweets\/(\d+)\/liking_users$/,
    endpoint: 'liking_users',
    handle: (c, m) => {
      const deny = needUser(c) ?? needScopes(c, 'like.read', 'tweet.read', 'users.read');
      if (deny) return deny;
      const t = c.s.tweets.get(m[1]!);
      if (!t || !visible(c.s, t, c.viewer)) return json(200, { errors: [tweetError(c.s, m[1]!, c.viewer, 'id')] });
      if (t.authorId !== c.viewer) return forbidden('Likes are private: only the author of a post can list who liked it.');
      const size = maxResults(c.q, 1, 100, 100);
      if (typeof size !== 'number') return size;
      const { page, next } = pageLikes(c.s.likesByTweet.get(t.id) ?? [], c.q, size);
      return userList(c, page.map((e) => c.s.userOrStub(e.id)), next);
    },
  },
  {
    re: /^\/2\/tweets\/(\d+)\/retweeted_by$/,
    endpoint: 'retweeted_by',
    handle: (c, m) => {
      const t = c.s.tweets.get(m[1]!);
      if (!t || !visible(c.s, t, c.viewer)) return json(200, { errors: [tweetError(c.s, m[1]!, c.viewer, 'id')] });
      const size = maxResults(c.q, 1, 100, 100);
      if (typeof size !== 'number') return size;
      const rts = (c.s.retweetsOf.get(t.id) ?? []).filter((id) => visible(c.s, c.s.tweets.get(id)!, c.viewer)).reverse();
      const { page, next } = pageIds(rts, c.q, size);
      return userList(c, page.map((id) => c.s.userOrStub(c.s.tweets.get(id)!.authorId)), next);
    },
  },
  {
    re: /^\/2\/tweets\/(\d+)\/quote_tweets$/,
    endpoint: 'quote_tweets',
    handle: (c, m) => {
      const t = c.s.tweets.get(m[1]!);
      if (!t || !visible(c.s, t, c.viewer)) return json(200, { errors: [tweetError(c.s, m[1]!, c.viewer, 'id')] });
      const size = maxResults(c.q, 10, 100, 10);
      if (typeof size !== 'number') return size;
      const ids = (c.s.quotesOf.get(t.id) ?? []).filter((id) => visible(c.s, c.s.tweets.get(id)!, c.viewer)).reverse();
      const { page, next } = pageIds(ids, c.q, size);
      return tweetList(c, page.map((id) => c.s.tweets.get(id)!), next);
    },
  },
  {
    re: /^\/2\/tweets\/(\d+)$/,
    endpoint: 'tweets_lookup',
    handle: (c, m) => {
      const t = c.s.tweets.get(m[1]!);
      if (!t || !visible(c.s, t, c.viewer)) return json(200, { errors: [tweetError(c.s, m[1]!, c.viewer, 'id')] });
      const body: Record<string, unknown> = { data: renderTweet(c.s, t, c.f) };
      const inc = includesFor(c.s, [t], c.f, c.viewer);
      if (inc) body.includes = inc;
      return json(200, body);
    },
  },
  {
    re: /^\/2\/tweets$/,
    endpoint: 'tweets_lookup',
    handle: (c) => {
      const ids = (c.q.get('ids') ?? '').split(',').filter(Boolean);
      if (!ids.length || ids.length > 100) return invalidRequest('ids must list 1 to 100 post ids', { ids: [c.q.get('ids') ?? ''] });
      const found: XTweet[] = [];
      const errors: unknown[] = [];
      for (const id of ids) {
        const t = c.s.tweets.get(id);
        if (t && visible(c.s, t, c.viewer)) found.push(t);
        else errors.push(tweetError(c.s, id, c.viewer));
      }
      const body: Record<string, unknown> = {};
      if (found.length) body.data = found.map((t) => renderTweet(c.s, t, c.f));
      const inc = found.length ? includesFor(c.s, found, c.f, c.viewer) : undefined;
      if (inc) body.includes = inc;
      if (errors.length) body.errors = errors;
      return json(200, body);
    },
  },
];

/**
 * Ids of posts, users and like objects in a v2 response body (what X bills for). Every row of a
 * like listing is also a like object (`tweetId|userId`), see X_PRICES.
 */
function resources(endpoint: EndpointName, body: unknown, pathId: string | undefined, viewer: string | null): { posts: string[]; users: string[]; likes: string[] } {
  const posts: string[] = [];
  const users: string[] = [];
  const likes: string[] = [];
  if (!body || typeof body !== 'object') return { posts, users, likes };
  const b = body as { data?: unknown; includes?: { users?: { id: string }[]; tweets?: { id: string }[] } };
  const isUsers = endpoint === 'users_lookup' || endpoint === 'users_me' || endpoint === 'liking_users' || endpoint === 'retweeted_by';
  const data = Array.isArray(b.data) ? b.data : b.data ? [b.data] : [];
  for (const d of data as { id: string }[]) {
    (isUsers ? users : posts).push(d.id);
    if (endpoint === 'liked_tweets') likes.push(`${d.id}|${viewer ?? pathId}`);
    else if (endpoint === 'liking_users') likes.push(`${pathId}|${d.id}`);
  }
  for (const u of b.includes?.users ?? []) users.push(u.id);
  for (const t of b.includes?.tweets ?? []) posts.push(t.id);
  return { posts, users, likes };
}

/** Start the X API double on 127.0.0.1 (port 0 = any free port). */
export async function startXDouble(opts: XDoubleOptions = {}): Promise<XDouble> {
  const state = opts.state ?? new XState(opts.now);
  for (const t of opts.appTokens ?? [SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN]) state.appTokens.add(t);
  for (const [id, secret] of Object.entries(opts.clients ?? {})) state.clients.set(id, secret);
  if (opts.authorizeAs) state.authorizeAs = opts.authorizeAs;
  const anyBearerIsApp = opts.anyBearerIsApp ?? true;
  const billing = new Billing();
  const limits = new RateLimiter(opts.limits);
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];

  const send = (res: ServerResponse, r: Reply) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      res.writeHead(r.status, headers).end(r.text);
    } else if (r.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(r.status, headers).end(JSON.stringify(r.body));
    } else res.writeHead(r.status, headers).end();
  };

  /** The next fault for this endpoint: waits its delay, and returns the error reply it asks for. */
  async function takeFault(endpoint: EndpointName | 'oauth'): Promise<Reply | 'close' | null> {
    const fi = faults.findIndex((f) => f.count > 0 && (f.endpoint === endpoint || (!f.endpoint && endpoint !== 'oauth')));
    if (fi < 0) return null;
    const f = faults[fi]!;
    f.count -= 1;
    if (f.count <= 0) faults.splice(fi, 1);
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f.close) return 'close';
    if (!f.status) return null;
    const title = f.status === 429 ? 'Too Many Requests' : f.status >= 500 ? 'Service Unavailable' : 'Error';
    return { ...problem(f.status, title, title), ...(f.headers ? { headers: f.headers } : {}) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x.local');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const rec: RecordedRequest = {
      at: state.now(), method, path, endpoint: 'other', query: Object.fromEntries(url.searchParams), auth: 'none', status: 0,
      returnedPosts: 0, returnedUsers: 0, billedPosts: 0, billedUsers: 0, billedLikes: 0, costUsd: 0,
    };
    requests.push(rec);
    const finish = (r: Reply) => {
      rec.status = r.status;
      send(res, r);
    };

    if (method === 'GET' && (path === '/i/oauth2/authorize' || path === '/oauth2/authorize')) {
      rec.endpoint = 'oauth';
      return finish(authorize(state, url));
    }
    if (method === 'POST' && (path === '/2/oauth2/token' || path === '/oauth2/token')) {
      rec.endpoint = 'oauth';
      const fault = await takeFault('oauth');
      if (fault === 'close') return void req.socket.destroy();
      if (fault) return finish(fault);
      return finish(await token(state, req));
    }
    if (method === 'POST' && path === '/2/oauth2/revoke') {
      rec.endpoint = 'oauth';
      return finish(await revoke(state, req));
    }
    const route = method === 'GET' ? routes.find((r) => r.re.test(path)) : undefined;
    if (!route) return finish(problem(404, 'Not Found', `No route ${method} ${path} in the X double.`));
    rec.endpoint = route.endpoint;

    const authz = req.headers.authorization ?? '';
    const bearer = authz.startsWith('Bearer ') ? authz.slice(7) : '';
    let auth: Ctx['auth'];
    const issued = state.accessTokens.get(bearer);
    if (issued) {
      if (issued.revoked || issued.expiresAt <= state.now()) {
        return finish(problem(401, 'Unauthorized', 'Unauthorized'));
      }
      auth = { kind: 'user', userId: issued.userId, scopes: issued.scopes };
    } else if (bearer && (state.appTokens.has(bearer) || (anyBearerIsApp && !bearer.startsWith('ua-')))) {
      auth = { kind: 'app' };
    } else {
      return finish(problem(401, 'Unauthorized', 'Unauthorized'));
    }
    rec.auth = auth.kind;
    if (auth.kind === 'user') rec.userId = auth.userId;
    const who = auth.kind === 'user' ? 'user' : 'app';
    const rl = limits.take(route.endpoint, who, auth.kind === 'user' ? auth.userId : 'app', state.now());
    if (!rl.allowed) return finish({ ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers: rl.headers });

    const fault = await takeFault(route.endpoint);
    if (fault === 'close') return void req.socket.destroy();
    if (fault) return finish({ ...fault, headers: { ...rl.headers, ...(fault.headers ?? {}) } });

    for (const k of ['pagination_token', 'next_token']) {
      const v = url.searchParams.get(k);
      if (v !== null && decodeToken(v, route.endpoint === 'liked_tweets' || route.endpoint === 'liking_users' ? 'l' : 'i') === null) {
        return finish({ ...invalidRequest(`The \`${k}\` query parameter value [${v}] is not valid`, { [k]: [v] }), headers: rl.headers });
      }
    }
    const viewer = auth.kind === 'user' ? auth.userId : null;
    const m = path.match(route.re)!;
    const reply = route.handle({ s: state, url, q: url.searchParams, f: fieldsOf(url.searchParams), auth, viewer }, m);
    reply.headers = { ...rl.headers, ...(reply.headers ?? {}) };
    if (reply.status === 200) {
      const r = resources(route.endpoint, reply.body, m[1], viewer);
      const billed = billing.chargeIds(state.now(), r.posts, r.users, r.likes);
      rec.returnedPosts = r.posts.length;
      rec.returnedUsers = r.users.length;
      rec.billedPosts = billed.posts.length;
      rec.billedUsers = billed.users.length;
      rec.billedLikes = billed.likes.length;
      rec.costUsd = cost(billed.posts.length, billed.users.length, billed.likes.length);
      if (rec.costUsd > 0) rec.billed = billed;
    }
    finish(reply);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, problem(500, 'Internal Error', String((err as Error)?.message ?? err)));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    state,
    requests,
    billing,
    limits,
    fail: (f) => faults.push({ count: f.count ?? 1, status: f.status ?? (f.delayMs || f.close ? undefined : 503), delayMs: f.delayMs, close: f.close, endpoint: f.endpoint, headers: f.headers }),
    clearFaults: () => void faults.splice(0),
    requestsTo: (endpoint) => (endpoint ? requests.filter((r) => r.endpoint === endpoint) : requests),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
