import { parseHeldId, type EngagementKind, type HeldItem, type HeldStatus, type HoldReason } from '../../domain';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { AuditLog } from './audit-log';
import { int, pageBounds, type Page, type PageResult, type StoreContext } from './context';
import type { Ledger } from './ledger';

export interface HeldFilter {
  reason?: HoldReason;
  discordId?: string;
}

/** Approvals from the review queue are logged under this batch id (the actor is in the audit log). */
export const REVIEW_BATCH_ID = 'review';

/**
 * Engagements held back (member not eligible, reply rejected), written by the award script, and
 * the admins' review of them: approve awards the points, dismiss drops them for good. Both are
 * idempotent and audited.
 */
export class ReviewQueue {
  constructor(private readonly ctx: StoreContext, private readonly ledger: Ledger) {}

  async get(id: string): Promise<HeldItem | null> {
    if (!parseHeldId(id)) return null;
    return toHeld(await this.ctx.redis.hgetall(this.ctx.keys.held(...parts(id))));
  }

  async getMany(ids: string[]): Promise<HeldItem[]> {
    if (!ids.length) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.held(...parts(id)));
    return ((await p.exec()) ?? []).flatMap(([, h]) => toHeld(h as Record<string, string>) ?? []);
  }

  /** Items waiting for review, newest first, optionally of one reason or one member. */
  async open(page: Page & { filter?: HeldFilter } = {}): Promise<PageResult<HeldItem>> {
    const key = this.ctx.keys.heldOpen();
    const f = page.filter ?? {};
    if (!f.reason && !f.discordId) {
      const { start, stop } = pageBounds(page);
      const [total, ids] = await Promise.all([this.ctx.redis.zcard(key), this.ctx.redis.zrevrange(key, start, stop)]);
      return { total, items: await this.getMany(ids) };
    }
    const ids = await this.ctx.redis.zrevrange(key, 0, -1);
    const items = (await this.getMany(f.discordId ? ids.filter((id) => parts(id)[1] === f.discordId) : ids)).filter((h) => !f.reason || h.reason === f.reason);
    const offset = Math.max(0, page.offset ?? 0);
    return { total: items.length, items: items.slice(offset, offset + Math.min(1000, Math.max(0, page.limit ?? 25))) };
  }

  /** Everything held back for one member (any status), newest first. */
  async forMember(discordId: string, page: Page = {}): Promise<PageResult<HeldItem>> {
    const { start, stop } = pageBounds(page);
    const key = this.ctx.keys.userHeld(discordId);
    const [total, ids] = await Promise.all([this.ctx.redis.zcard(key), this.ctx.redis.zrevrange(key, start, stop)]);
    return { total, items: await this.getMany(ids) };
  }

  /** A member's replies not counted (still held), by reason code: what `/stats` tells them. */
  async rejectedReplies(discordId: string): Promise<Array<{ code: string; detail: string; count: number }>> {
    const ids = (await this.ctx.redis.zrevrange(this.ctx.keys.userHeld(discordId), 0, 999)).filter((id) => id.endsWith(':reply'));
    const byCode = new Map<string, { code: string; detail: string; count: number }>();
    for (const h of await this.getMany(ids)) {
      if (h.status !== 'held' || h.reason !== 'reply') continue;
      const c = byCode.get(h.code) ?? { code: h.code, detail: h.detail, count: 0 };
      c.count += 1;
      byCode.set(h.code, c);
    }
    return [...byCode.values()].sort((a, b) => b.count - a.count);
  }

  count(): Promise<number> {
    return this.ctx.redis.zcard(this.ctx.keys.heldOpen());
  }

  /**
   * Award a held (or dismissed) item, whatever the rules say. Approving it again answers the same
   * item and awards nothing more. Refused while the member is banned or no longer linked, or when
   * the post is gone.
   */
  async approve(id: string, actor: string, note = ''): Promise<{ item: HeldItem; points: number; changed: boolean }> {
    const item = await this.require(id);
    const res = await this.ledger.award({ batchId: REVIEW_BATCH_ID, engagements: [{ tweetId: item.tweetId, discordId: item.discordId, kind: item.kind, hold: 'approve' }] });
    const r = res.results[0]!;
    if (r.outcome === 'awarded') {
      const after = (await this.get(id))!;
      await this.ctx.redis.hset(this.ctx.keys.held(...parts(id)), 'resolvedBy', actor, 'note', note.slice(0, 500));
      await this.auditAction(actor, 'review.approve', id, item, { status: after.status, points: r.points, note });
      return { item: (await this.get(id))!, points: r.points, changed: true };
    }
    if (r.outcome === 'duplicate') return { item: (await this.get(id))!, points: 0, changed: false };
    throw new ConflictError(REFUSED[r.outcome] ?? `This item cannot be awarded (${r.outcome}).`, `review_${r.outcome}`);
  }

  /** Drop a held item for good; dismissing it again changes nothing. */
  async dismiss(id: string, actor: string, note = ''): Promise<{ item: HeldItem; changed: boolean }> {
    await this.require(id);
    const res = await this.ctx.run('dismissHeld', [this.ctx.keys.held(...parts(id)), this.ctx.keys.heldOpen(), this.ctx.keys.audit()], [actor, this.ctx.now(), note.slice(0, 500)]);
    if (res === ScriptErrorCode.AlreadyResolved) throw new ConflictError('This item was already awarded; it cannot be dismissed.', 'review_resolved');
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No held item ${id}`);
    return { item: (await this.get(id))!, changed: res === 1 };
  }

  private async require(id: string): Promise<HeldItem> {
    if (!parseHeldId(id)) throw new ValidationError('A held item id looks like {tweetId}:{discordId}:{kind}.', 'invalid_id');
    const item = await this.get(id);
    if (!item) throw new NotFoundError(`No held item ${id}`);
    return item;
  }

  private async auditAction(actor: string, action: string, id: string, before: HeldItem, after: unknown): Promise<void> {
    await new AuditLog(this.ctx).record({ actor, action, target: `held:${id}`, before: { status: before.status, reason: before.reason, code: before.code }, after });
  }
}

const REFUSED: Partial<Record<string, string>> = {
  banned: 'The member is banned: unban them first.',
  unknown_member: 'The member is no longer linked to X (or unknown): nothing can be awarded.',
  inactive_tweet: 'The post was deleted or is unavailable: nothing can be awarded.',
  unknown_tweet: 'The post is no longer tracked: nothing can be awarded.',
  self: 'Members earn nothing on their own submissions.',
  own_tweet: 'Members earn nothing on their own posts.',
};

function parts(id: string): [string, string, string] {
  const p = parseHeldId(id);
  if (!p) throw new ValidationError('A held item id looks like {tweetId}:{discordId}:{kind}.', 'invalid_id');
  return [p.tweetId, p.discordId, p.kind];
}

export function toHeld(h: Record<string, string> | null | undefined): HeldItem | null {
  if (!h || !h.id) return null;
  return {
    id: h.id,
    tweetId: h.tweetId ?? '',
    discordId: h.discordId ?? '',
    kind: (h.kind ?? 'like') as EngagementKind,
    reason: (h.reason ?? 'ineligible') as HoldReason,
    code: h.code ?? '',
    detail: h.detail ?? '',
    ...(h.text ? { text: h.text } : {}),
    status: (h.status ?? 'held') as HeldStatus,
    createdAt: int(h.createdAt),
    updatedAt: int(h.updatedAt),
    batchId: h.batchId ?? '',
    ...(h.resolvedAt ? { resolvedAt: int(h.resolvedAt) } : {}),
    ...(h.resolvedBy ? { resolvedBy: h.resolvedBy } : {}),
    ...(h.note ? { note: h.note } : {}),
  };
}
