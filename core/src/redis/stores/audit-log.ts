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

  /** Audit an action that changes nothing else (scripts that change data audit inside themselves). */
  async record(e: { actor: string; action: string; target: string; before?: unknown; after?: unknown }): Promise<AuditEntry> {
    const at = this.ctx.now();
    const enc = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
    const id = (await this.ctx.run('recordAudit', [this.ctx.keys.audit()], [e.actor, e.action, e.target, enc(e.before), enc(e.after), at])) as string;
    return { id, at, actor: e.actor, action: e.action, target: e.target, before: e.before, after: e.after };
  }

  /** One entry by its stream id, or null. */
  async get(id: string): Promise<AuditEntry | null> {
    if (!/^\d+-\d+$/.test(id)) return null;
    const row = (await this.ctx.redis.xrange(this.ctx.keys.audit(), id, id))[0];
    return row ? toEntry(row) : null;
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
