import type { Logger } from 'pino';
import { ApiResponseError, type TwitterApi } from 'twitter-api-v2';
import { markNeedsReconnect, REFRESH_REFUSED_REASON, refreshRefused, refreshTokens, type Connection, type MemberNotifier, type Stores, type XClientFactory, type XTokens } from '@engagement-tracker/core';
import { StopRun, TokenBusy, TokenRevoked } from './errors';
import type { RunStats } from './stats';
import type { WatermarkStore } from './watermarks';

const EARLY_REFRESH_MS = 60_000;
const LOCK_TTL_MS = 30_000;

/**
 * Members' OAuth 2.0 user clients. Refreshes an expiring token under a per-member Redis lock (X
 * refresh tokens are single use: two refreshes at once would revoke the grant) and stores the new
 * pair at once. A refused refresh marks the member "needs reconnect".
 */
export class MemberTokens {
  private readonly cache = new Map<string, Promise<TwitterApi>>();

  constructor(
    private readonly deps: {
      stores: Stores; wm: WatermarkStore; x: XClientFactory; now: () => number; stats: RunStats; logger: Logger; sleep?: (ms: number) => Promise<void>;
      /** Tells a member by Discord DM (once per dead grant) that they need to run /connect again. */
      notify?: MemberNotifier;
    },
  ) {}

  /** A user client for the member, refreshing first when the token is (about to be) expired. */
  async client(conn: Connection, opts: { force?: boolean } = {}): Promise<TwitterApi> {
    if (conn.status !== 'linked') throw new TokenRevoked(conn.discordId, 'needs reconnect');
    const hit = this.cache.get(conn.discordId);
    if (hit && !opts.force) return hit;
    const p = this.load(conn, opts.force ?? false);
    this.cache.set(conn.discordId, p);
    p.catch(() => this.cache.delete(conn.discordId));
    return p;
  }

  /**
   * Send a request with the member's token: a 401 refreshes the token once and retries; X refusing
   * it still (401) marks the member needs_reconnect (TokenRevoked). A 403 is X refusing this one read
   * (not the grant): it is thrown for the caller to record.
   */
  async call<T>(conn: Connection, send: (client: TwitterApi) => Promise<T>): Promise<T> {
    const unauthorized = (err: unknown) => err instanceof ApiResponseError && err.code === 401;
    try {
      return await send(await this.client(conn));
    } catch (err) {
      if (!unauthorized(err)) throw err;
      try {
        return await send(await this.client(conn, { force: true }));
      } catch (again) {
        if (!unauthorized(again)) throw again;
      }
      return this.revoked(conn, 'X refused the member token: reconnect with /connect.');
    }
  }

  private async load(conn: Connection, force: boolean): Promise<TwitterApi> {
    const { stores, now } = this.deps;
    await this.stillLinked(conn);
    let tokens = await stores.connections.getTokens(conn.discordId);
    if (!tokens) return this.revoked(conn, 'No X tokens stored: reconnect your X account with /connect.');
    if (force || tokens.expiresAt - EARLY_REFRESH_MS <= now()) tokens = await this.refresh(conn, tokens);
    return this.deps.x.user(tokens.accessToken);
  }

  private async refresh(conn: Connection, stale: XTokens): Promise<XTokens> {
    const { stores, wm, x, now, stats } = this.deps;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (let attempt = 0; attempt < 50; attempt++) {
      // The lock must outlive a refresh request that runs to its timeout, or a second refresh of the
      // same single-use token could start (and X revoke the grant).
      const ttl = Math.max(LOCK_TTL_MS, 2 * (x.config.timeoutMs ?? 15_000) + 10_000);
      const res = await wm.withRefreshLock(conn.discordId, ttl, async () => {
        await this.stillLinked(conn);
        const current = await stores.connections.getTokens(conn.discordId);
        if (!current) return this.revoked(conn, 'No X tokens stored: reconnect your X account with /connect.');
        // Someone else refreshed while we waited for the lock.
        if (current.accessToken !== stale.accessToken && current.expiresAt - EARLY_REFRESH_MS > now()) return current;
        if (!current.refreshToken) return this.revoked(conn, 'The X authorization expired and has no refresh token: reconnect with /connect.');
        try {
          const next = await refreshTokens(x, current.refreshToken, now());
          stats.inc('tokenRefreshes');
          if (!(await stores.connections.saveTokens(conn.discordId, next, { xUserId: conn.xUserId }))) {
            throw new TokenRevoked(conn.discordId, 'The member unlinked while their X token was being refreshed.');
          }
          return next;
        } catch (err) {
          if (err instanceof ApiResponseError && err.code === 429) {
            // X's limit, not the member's grant: stop here (partial), the next run refreshes.
            const resumeAt = err.rateLimit ? err.rateLimit.reset * 1000 : now() + 15 * 60_000;
            throw new StopRun('rate_limited', 'X answered 429 to a token refresh.', resumeAt);
          }
          if (refreshRefused(err)) {
            return this.revoked(conn, REFRESH_REFUSED_REASON);
          }
          throw err;
        }
      });
      if (res) return res;
      await sleep(100);
    }
    // A crashed process can leave the lock behind until it expires: skip this member this run.
    stats.inc('tokenBusy');
    throw new TokenBusy(conn.discordId);
  }

  /**
   * The member may have unlinked, or relinked another X account, since the run loaded them: never
   * use (or spend, refresh tokens being single-use) tokens that are no longer this link's.
   */
  private async stillLinked(conn: Connection): Promise<void> {
    const link = await this.deps.stores.connections.get(conn.discordId);
    if (!link || link.xUserId !== conn.xUserId || link.status !== 'linked') {
      throw new TokenRevoked(conn.discordId, 'The member is no longer linked to this X account.');
    }
  }

  /** Mark the member needs_reconnect, tell them once (whichever process finds it first), and skip them. */
  async revoked(conn: Connection, reason: string): Promise<never> {
    const { stores, notify, logger, stats } = this.deps;
    stats.inc('membersNeedReconnect');
    const { told } = await markNeedsReconnect({ stores, notify, logger }, conn, reason);
    if (told !== null) stats.inc(told ? 'membersToldToReconnect' : 'reconnectNoticeFailed');
    throw new TokenRevoked(conn.discordId, reason);
  }
}
