import { cloneRules, DEFAULT_RULES, ruleCells, validateRulePoints, type EngagementKind, type PointRules, type Tier } from '../../domain';
import type { StoreContext } from './context';

/** Points per tier and kind (engagement:rules:{tier}-{kind}); unset cells use the defaults. */
export class RulesStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(): Promise<PointRules> {
    const cells = ruleCells();
    const values = await this.ctx.redis.mget(...cells.map(({ tier, kind }) => this.ctx.keys.rule(tier, kind)));
    const rules = cloneRules(DEFAULT_RULES);
    cells.forEach(({ tier, kind }, i) => {
      const v = values[i];
      if (v != null) rules[tier][kind] = Number(v);
    });
    return rules;
  }

  async set(tier: Tier, kind: EngagementKind, points: number, actor: string): Promise<PointRules> {
    return this.setMany({ [tier]: { [kind]: points } } as Partial<Record<Tier, Partial<Record<EngagementKind, number>>>>, actor);
  }

  /** Change several cells at once (validated first; written and audited in one transaction). */
  async setMany(changes: Partial<Record<Tier, Partial<Record<EngagementKind, number>>>>, actor: string): Promise<PointRules> {
    const before = await this.get();
    const after = cloneRules(before);
    for (const { tier, kind } of ruleCells()) {
      const v = changes[tier]?.[kind];
      if (v !== undefined) after[tier][kind] = validateRulePoints(v);
    }
    // Only the changed cells are written: two admins editing different cells at once both keep theirs.
    // A change to the value a cell already has is no change: nothing written, nothing audited.
    const changed = ruleCells().filter(({ tier, kind }) => after[tier][kind] !== before[tier][kind]);
    if (!changed.length) return before;
    await this.write(before, after, actor, 'rules.update', changed);
    return this.get();
  }

  async reset(actor: string): Promise<PointRules> {
    const before = await this.get();
    const defaults = cloneRules(DEFAULT_RULES);
    const changed = ruleCells().filter(({ tier, kind }) => before[tier][kind] !== defaults[tier][kind]);
    if (changed.length) await this.write(before, defaults, actor, 'rules.reset', changed);
    return defaults;
  }

  private async write(before: PointRules, after: PointRules, actor: string, action: string, cells: Array<{ tier: Tier; kind: EngagementKind }>): Promise<void> {
    const all = ruleCells();
    const write = new Set(cells.map(({ tier, kind }) => `${tier}-${kind}`));
    await this.ctx.run(
      'setRules',
      [...all.map(({ tier, kind }) => this.ctx.keys.rule(tier, kind)), this.ctx.keys.audit()],
      [actor, action, JSON.stringify(before), JSON.stringify(after), this.ctx.now(), ...all.map(({ tier, kind }) => (write.has(`${tier}-${kind}`) ? after[tier][kind] : ''))],
    );
  }
}
