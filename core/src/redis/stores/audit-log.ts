import type { AuditEntry } from '../../domain';
import { json, type Page, type PageResult, type StoreContext } from './context';

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
}

/** Admin actions (who, what, when, before and after) in a Redis stream, newest first when read. */
export class AuditLog {
  constructor(private readonly ctx: StoreContext) {}

  async record(e: { actor: string; action: string; target: string; before?: unknown; after?: unknown }): Promise<AuditEntry> {
    const at = this.ctx.now();
    const enc = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
    const id = (await this.ctx.redis.xadd(this.ctx.keys.audit(), '*', 'actor', e.actor, 'action', e.action, 'target', e.target,
      'before', enc(e.before), 'after', enc(e.after), 'at', String(at))) as string;
    return { id, at, actor: e.actor, action: e.action, target: e.target, before: e.before, after: e.after };
  }

  async list(page: Page & { filter?: AuditFilter } = {}): Promise<PageResult<AuditEntry>> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.min(1000, Math.max(0, page.limit ?? 25));
    const f = page.filter ?? {};
    const filtered = Boolean(f.actor || f.action || f.target);
    if (!filtered) {
      // XREVRANGE COUNT 0 answers nil, so an empty page is answered without it.
      const [total, rows] = await Promise.all([
        this.ctx.redis.xlen(this.ctx.keys.audit()),
        limit === 0 ? Promise.resolve([]) : this.ctx.redis.xrevrange(this.ctx.keys.audit(), '+', '-', 'COUNT', offset + limit),
      ]);
      return { total, items: (rows ?? []).slice(offset).map(toEntry) };
    }
    const all = (await this.ctx.redis.xrevrange(this.ctx.keys.audit(), '+', '-')).map(toEntry).filter(
      (e) =>
        (!f.actor || e.actor === f.actor) &&
        (!f.action || e.action.startsWith(f.action)) &&
        (!f.target || e.target === f.target || e.target.includes(f.target)),
    );
    return { total: all.length, items: all.slice(offset, offset + limit) };
  }
}

function toEntry([id, fields]: [string, string[]]): AuditEntry {
  const m: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) m[fields[i]!] = fields[i + 1]!;
  return {
    id,
    at: Number(m.at ?? id.split('-')[0]),
    actor: m.actor ?? '',
    action: m.action ?? '',
    target: m.target ?? '',
    before: json<unknown>(m.before, undefined),
    after: json<unknown>(m.after, undefined),
  };
}
