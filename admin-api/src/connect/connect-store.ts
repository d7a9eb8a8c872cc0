import type { Stores } from '@engagement-tracker/core';

/** A pending X authorization: who is linking and the PKCE verifier, kept server-side only. */
export interface PendingAuthorization {
  discordId: string;
  displayName: string;
  codeVerifier: string;
}

/**
 * Redis records of the linking flow:
 *  - `keys.connectUsed(nonce)`     marks a /connect ticket as spent (SET NX, expires with the ticket);
 *  - `keys.connectPending(nonce)`  the pending authorization, read once (GETDEL) by the callback.
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
}
