import { MAX_RELINK_COOLDOWN_HOURS, type Connection, type LinkStatus, type XTokens } from '../../domain';
import { ConflictError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, json, type StoreContext } from './context';
import type { ModerationStore } from './moderation-store';

export interface LinkInput {
  discordId: string;
  displayName: string;
  xUserId: string;
  handle: string;
  scopes: string[];
  tokens: XTokens;
}

/**
 * X account links (engagement:connection:{discordId}) with reverse lookups by handle
 * (engagement:twitter:{handle}) and X user id (engagement:twitterid:{id}); tokens encrypted at rest.
 */
export class ConnectionStore {
  constructor(private readonly ctx: StoreContext, private readonly moderation: ModerationStore) {}

  async link(input: LinkInput, actor = `discord:${input.discordId}`): Promise<Connection> {
    const { keys } = this.ctx;
    await this.checkRelinkCooldown(input);
    const cipher = this.encrypt(input.discordId, input.tokens);
    const res = await this.withCurrentLink(input.discordId, (current) =>
      this.ctx.run(
        'linkConnection',
        [
          keys.connection(input.discordId), keys.twitterId(input.xUserId), keys.twitterHandle(input.handle), keys.connections(),
          keys.tokens(input.discordId), keys.member(input.discordId), keys.members(), keys.audit(),
          keys.twitterId(current.xUserId || input.xUserId), keys.twitterHandle(current.handle || input.handle),
        ],
        [input.discordId, input.displayName, input.xUserId, input.handle, input.scopes.join(' '), cipher, this.ctx.now(), actor, current.xUserId, current.handle],
      ),
    );
    if (res === ScriptErrorCode.XAccountTaken) {
      throw new ConflictError(`The X account @${input.handle} is already linked to another member. Each X account can be linked once.`, 'x_account_taken');
    }
    return (await this.get(input.discordId))!;
  }

  async unlink(discordId: string, actor: string): Promise<Connection | null> {
    const before = await this.get(discordId);
    const { keys } = this.ctx;
    const res = await this.withCurrentLink(discordId, (current) =>
      this.ctx.run(
        'unlinkConnection',
        [keys.connection(discordId), keys.connections(), keys.tokens(discordId), keys.audit(), keys.twitterId(current.xUserId), keys.twitterHandle(current.handle)],
        [discordId, actor, this.ctx.now(), current.xUserId, current.handle],
      ),
    );
    if (res === ScriptErrorCode.NotFound) return null;
    // Remembered whatever the cooldown is now, so a cooldown turned on later applies too.
    const [xUserId, handle] = res as [string, string];
    await this.ctx.redis.set(keys.relink(discordId), JSON.stringify({ xUserId, handle, at: this.ctx.now() }), 'EX', MAX_RELINK_COOLDOWN_HOURS * 3600);
    return before;
  }

  /**
   * With a relink cooldown set, a member cannot switch X accounts quickly (account rotation):
   * linking a different account than the current one is refused, and after an unlink a different
   * account can be linked only once the cooldown has passed. Relinking the same account always works.
   */
  private async checkRelinkCooldown(input: LinkInput): Promise<void> {
    const hours = (await this.moderation.get()).relinkCooldownHours;
    if (hours <= 0) return;
    const current = await this.get(input.discordId);
    if (current && current.xUserId !== input.xUserId) {
      throw new ConflictError(`You are linked to @${current.handle}. To link another X account, run /disconnect first; a different account can be linked ${hours} hour(s) after that.`, 'relink_cooldown');
    }
    const last = json<{ xUserId?: string; handle?: string; at?: number } | null>(await this.ctx.redis.get(this.ctx.keys.relink(input.discordId)), null);
    const until = (last?.at ?? 0) + hours * 3_600_000;
    if (last && last.xUserId !== input.xUserId && until > this.ctx.now()) {
      throw new ConflictError(`You unlinked @${last.handle} recently: you can link a different X account from ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC (linking @${last.handle} again works now).`, 'relink_cooldown');
    }
  }

  /**
   * Run a link script with the member's current X id and handle ('' when unlinked): the script
   * needs their reverse-lookup keys in KEYS, and answers Stale when the link changed since this
   * read, in which case it is read again.
   */
  private async withCurrentLink(discordId: string, call: (current: { xUserId: string; handle: string }) => Promise<unknown>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const [xUserId, handle] = await this.ctx.redis.hmget(this.ctx.keys.connection(discordId), 'xUserId', 'handle');
      const res = await call({ xUserId: xUserId ?? '', handle: handle ?? '' });
      if (res !== ScriptErrorCode.Stale) return res;
      if (attempt >= 20) throw new ConflictError(`The X link of ${discordId} kept changing; try again.`);
    }
  }

  async get(discordId: string): Promise<Connection | null> {
    return toConnection(await this.ctx.redis.hgetall(this.ctx.keys.connection(discordId)));
  }

  async getByXUserId(xUserId: string): Promise<Connection | null> {
    const id = await this.ctx.redis.get(this.ctx.keys.twitterId(xUserId));
    return id ? this.get(id) : null;
  }

  async getByHandle(handle: string): Promise<Connection | null> {
    const id = await this.ctx.redis.get(this.ctx.keys.twitterHandle(handle.replace(/^@/, '')));
    return id ? this.get(id) : null;
  }

  async getMany(ids: string[]): Promise<Array<Connection | null>> {
    if (ids.length === 0) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.connection(id));
    return ((await p.exec()) ?? []).map(([, h]) => toConnection(h as Record<string, string>));
  }

  async listLinked(): Promise<Connection[]> {
    const ids = await this.ctx.redis.zrange(this.ctx.keys.connections(), 0, '-1');
    return (await this.getMany(ids)).filter((c): c is Connection => c !== null);
  }

  count(): Promise<number> {
    return this.ctx.redis.zcard(this.ctx.keys.connections());
  }

  async getTokens(discordId: string): Promise<XTokens | null> {
    const blob = await this.ctx.redis.get(this.ctx.keys.tokens(discordId));
    return blob ? (JSON.parse(this.ctx.cipher.decrypt(blob, discordId)) as XTokens) : null;
  }

  /**
   * Replace a member's tokens in one write (refresh tokens are single-use: never lose the new pair),
   * only while the member is still linked, to `xUserId` when given. False when they are not: a
   * refresh that ends after /disconnect keeps no tokens, and one that ends after a relink does not
   * overwrite the new account's tokens.
   */
  async saveTokens(discordId: string, tokens: XTokens, opts: { xUserId?: string } = {}): Promise<boolean> {
    const { keys } = this.ctx;
    const res = await this.ctx.run('saveTokens', [keys.connection(discordId), keys.tokens(discordId)], [this.encrypt(discordId, tokens), opts.xUserId ?? '']);
    return res === 1;
  }

  /** Set the link status of a linked member; false (nothing written) when the member is not linked. */
  async setStatus(discordId: string, status: LinkStatus, reason?: string): Promise<boolean> {
    const res = await this.ctx.run('updateIfStatus', [this.ctx.keys.connection(discordId)], ['', 'status', status, 'updatedAt', this.ctx.now(), 'statusReason', reason ?? '']);
    return res === 1;
  }

  /**
   * True for the first caller only, per member and link (`linkedAt`), whichever process asks (the
   * batch or the bot): that caller tells the member their X grant died. Kept 90 days.
   */
  async claimReconnectNotice(discordId: string, linkedAt: number): Promise<boolean> {
    return (await this.ctx.redis.set(this.ctx.keys.wmReconnectTold(discordId, linkedAt), '1', 'EX', 90 * 86_400, 'NX')) === 'OK';
  }

  private encrypt(discordId: string, tokens: XTokens): string {
    return this.ctx.cipher.encrypt(JSON.stringify(tokens), discordId);
  }
}

export function toConnection(h: Record<string, string> | null | undefined): Connection | null {
  if (!h || !h.xUserId || !h.discordId) return null;
  return {
    discordId: h.discordId,
    xUserId: h.xUserId,
    handle: h.handle ?? '',
    scopes: (h.scopes ?? '').split(' ').filter(Boolean),
    status: (h.status as LinkStatus) ?? 'linked',
    linkedAt: int(h.linkedAt),
    updatedAt: int(h.updatedAt),
  };
}
