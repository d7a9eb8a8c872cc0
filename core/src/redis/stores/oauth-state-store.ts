import type { StoreContext } from './context';

/** Pending Discord sign-ins (the OAuth `state` values handed out), each valid once, for a while. */
export class OAuthStateStore {
  constructor(private readonly ctx: StoreContext) {}

  async save(state: string, ttlMs: number): Promise<void> {
    await this.ctx.redis.set(this.ctx.keys.oauthState(state), '1', 'PX', Math.max(1, ttlMs));
  }

  /** True the first time a saved, unexpired state is taken; false after that or for an unknown one. */
  async take(state: string): Promise<boolean> {
    return (await this.ctx.redis.getdel(this.ctx.keys.oauthState(state))) !== null;
  }
}
