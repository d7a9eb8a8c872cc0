import type { Stores, XTokens } from '@engagement-tracker/core';

/** A pending X authorization: who is linking and the PKCE verifier, kept server-side only. */
export interface PendingAuthorization {
  discordId: string;
  displayName: string;
  codeVerifier: string;
}

/** Tokens X granted for a member whose X identity is not known yet. */
export interface HeldAuthorization {
  discordId: string;
  displayName: string;
  tokens: XTokens;
}

/**
 * Redis records of the linking flow:
 *  - `keys.connectUsed(nonce)`     marks a /connect ticket as spent (SET NX, expires with the ticket);
 *  - `keys.connectPending(nonce)`  the pending authorization, read once (GETDEL) by the callback;
 *  - `keys.connectHeld(nonce)`     the tokens of an authorization X granted whose `/2/users/me` failed
 *                                  (encrypted, bound to the member), until linking finishes or it expires;
 *  - `keys.connectRetry(nonce)`    one attempt to ask X again about a held authorization per gap (SET NX PX).
 */
export class ConnectStore {
  constructor(private readonly stores: Stores) {}

  /** True the first time a ticket nonce is spent; false when it was used before. */
  async spendTicket(nonce: string, ttlMs: number): Promise<boolean> {
    return (await this.stores.ctx.redis.set(this.stores.keys.connectUsed(nonce), '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async savePending(nonce: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    await this.stores.ctx.redis.set(this.stores.keys.connectPending(nonce), JSON.stringify(pending), 'PX', Math.max(1, ttlMs));
  }

  /** The pending authorization, removed in the same step so a state works once. */
  async takePending(nonce: string): Promise<PendingAuthorization | null> {
    const raw = await this.stores.ctx.redis.getdel(this.stores.keys.connectPending(nonce));
    return raw ? (JSON.parse(raw) as PendingAuthorization) : null;
  }

  /** Keep the tokens of a spent code whose owner X did not name yet, encrypted, for `ttlMs`. */
  async holdTokens(nonce: string, who: { discordId: string; displayName: string }, tokens: XTokens, ttlMs: number): Promise<void> {
    const sealed = this.stores.ctx.cipher.encrypt(JSON.stringify(tokens), `connect-held:${who.discordId}`);
    await this.stores.ctx.redis.set(this.stores.keys.connectHeld(nonce), JSON.stringify({ ...who, sealed }), 'PX', Math.max(1, ttlMs));
  }

  /** The held authorization of this state, if it has not expired (kept until taken). */
  async heldTokens(nonce: string): Promise<HeldAuthorization | null> {
    return this.unseal(await this.stores.ctx.redis.get(this.stores.keys.connectHeld(nonce)));
  }

  /** The held authorization, removed in the same step: of two finishing at once, one links it. */
  async takeHeld(nonce: string): Promise<HeldAuthorization | null> {
    return this.unseal(await this.stores.ctx.redis.getdel(this.stores.keys.connectHeld(nonce)));
  }

  /** True when nobody asked X about this held authorization within the last `gapMs` (the caller may now). */
  async claimRetry(nonce: string, gapMs: number): Promise<boolean> {
    return (await this.stores.ctx.redis.set(this.stores.keys.connectRetry(nonce), '1', 'PX', Math.max(1, gapMs), 'NX')) === 'OK';
  }

  private unseal(raw: string | null): HeldAuthorization | null {
    if (!raw) return null;
    const held = JSON.parse(raw) as { discordId: string; displayName: string; sealed: string };
    return { discordId: held.discordId, displayName: held.displayName, tokens: JSON.parse(this.stores.ctx.cipher.decrypt(held.sealed, `connect-held:${held.discordId}`)) as XTokens };
  }
}
