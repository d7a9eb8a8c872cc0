import type { Client, Guild } from 'discord.js';
import { desiredHolders, planRoleChanges, type Lease, type RoleChange, type RoleRewardRule } from '@engagement-tracker/core';
import type { BotContext } from '../context';
import { homeGuild } from '../guild';
import { classify, grant, revoke, type ChangeOutcome } from '../roles/apply';
import { nextPeriodBoundary, readRuleFacts } from '../roles/board-facts';
import { readGuildFacts } from '../roles/guild-facts';
import { checkRuleRole } from '../roles/role-check';

/** How long the bot (every replica: the memory is in Redis) believes a member holds a role from a human, or has left, before it looks again. */
export const RECHECK_AFTER_MS = 10 * 60_000;
/** The longest the bot waits for the change in flight when it stops, before it aborts the Discord call. */
const STOP_GRACE_MS = 10_000;
/**
 * The role sync's lease across bot replicas, renewed every third of it while a sync runs: a replica that
 * dies mid-sync blocks the others at most this long.
 */
export const SYNC_LEASE_MS = 30_000;

export interface SyncSummary {
  rules: number;
  problems: number;
  planned: number;
  applied: number;
  deferred: number;
}

/** The audit-log reason Discord shows for a grant (at most 512 characters). */
export function grantReason(rule: RoleRewardRule): string {
  const c = rule.condition;
  const why = c.type === 'points' ? `${c.minPoints}+ all-time points` : `top ${c.top} of the ${c.board === 'week' ? 'current week' : c.seasonId ? `season ${c.seasonId}` : 'season'}`;
  return `Role reward "${rule.name}": ${why}`.slice(0, 512);
}

/**
 * Role rewards, applied. Each sync reads the enabled rules, checks each rule's role against the guild
 * (Manage Roles, hierarchy, managed, @everyone, deleted: a rule that fails is marked `problem` and
 * skipped, and no call is made for it), computes who should hold each role from the boards, plans the
 * changes against the members the bot granted (the store's holders) and applies at most `maxChanges` of
 * them (the rest next sync), each as a Discord call then the store's audited record. It runs every
 * `intervalMs`, right after each period boundary (ISO week, season start or end) and when told
 * (`trigger`, e.g. by the season-end job). Syncs never overlap; a trigger during one runs another after it.
 * Across replicas, a sync runs only under the Redis lease (`roleSyncLease`): a replica that finds it held
 * skips that sync (counted as `busy`), and a sync that loses it (a renewal found it taken) defers its changes.
 */
export class RoleSync {
  private timer?: NodeJS.Timeout;
  private boundaryTimer?: NodeJS.Timeout;
  private boundaryAt = 0;
  private current?: Promise<void>;
  private again = false;
  private stopping = false;
  private readonly abort = new AbortController();

  constructor(private readonly client: Client, private readonly ctx: BotContext, private readonly opts: { intervalMs: number; maxChanges: number }) {}

  start(): this {
    this.timer = setInterval(() => this.trigger('interval'), this.opts.intervalMs);
    this.timer.unref();
    this.trigger('start');
    return this;
  }

  /** Run a sync now (or right after the one running). */
  trigger(why: string): void {
    if (this.stopping) return;
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = (async () => {
      try {
        do {
          this.again = false;
          await this.syncSafely(why);
        } while (this.again && !this.stopping);
      } finally {
        this.current = undefined;
      }
    })();
  }

  /** Finish the change in flight (Discord call and its record), then stop; abort it if it takes too long. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearTimeout(this.boundaryTimer);
    if (!this.current) return;
    const grace = setTimeout(() => this.abort.abort(), STOP_GRACE_MS);
    await this.current.catch(() => undefined);
    clearTimeout(grace);
  }

  private async syncSafely(why: string): Promise<void> {
    const { logger, metrics } = this.ctx;
    try {
      const guild = homeGuild(this.client, this.ctx.config);
      if (!guild) {
        logger.warn('role sync: the bot is in no guild yet');
        return;
      }
      const held = await this.ctx.stores.roleRewards.syncLease(SYNC_LEASE_MS, (lease) => this.sync(guild, lease));
      if (!held.ran) {
        metrics.roleSyncs.inc({ outcome: 'busy' });
        logger.debug({ why }, 'role sync: another replica is syncing; skipped');
        return;
      }
      const s = held.value;
      metrics.roleSyncs.inc({ outcome: 'ok' });
      if (s.planned || s.problems) logger.info({ why, ...s }, 'role sync');
    } catch (err) {
      metrics.roleSyncs.inc({ outcome: 'error' });
      if (!this.stopping) logger.error({ err, why }, 'role sync failed; next sync retries');
    }
  }

  /** One sync of every enabled rule (callers hold the sync lease; its changes stop if the lease is lost). */
  async sync(guild: Guild, lease: Lease = { lost: false }): Promise<SyncSummary> {
    const { stores, metrics, logger } = this.ctx;
    const now = this.ctx.now();
    const [rules, seasons] = await Promise.all([stores.roleRewards.list().then((all) => all.filter((r) => r.enabled)), stores.seasons.list()]);
    this.scheduleBoundary(nextPeriodBoundary(seasons, now));
    const summary: SyncSummary = { rules: rules.length, problems: 0, planned: 0, applied: 0, deferred: 0 };
    const g = await readGuildFacts(guild);
    // The console's role picker: every role with what the same check says about it (even before the first rule).
    await stores.roleRewards.setGuildRoles({
      guildId: g.guildId,
      roles: [...g.roles.values()].map((r) => {
        const check = checkRuleRole(r.id, g);
        return { ...r, ...(check.ok ? {} : { problem: check.problem }) };
      }),
    });
    if (!rules.length) {
      metrics.roleRuleProblems.set(0);
      return summary;
    }
    const blocked = new Set<string>();
    for (const rule of rules) {
      const check = checkRuleRole(rule.roleId, g);
      if (check.ok) continue;
      blocked.add(rule.id);
      await stores.roleRewards.setStatus(rule.id, { state: 'problem', problem: check.problem, message: check.message });
    }
    const ok = rules.filter((r) => !blocked.has(r.id));
    const facts = await readRuleFacts(stores, ok, seasons, now);
    const desired = new Map(ok.map((r) => [r.id, desiredHolders(r, facts.get(r.id) ?? {})]));
    const current = new Map(await Promise.all(ok.map(async (r) => [r.id, new Set(await stores.roleRewards.holders(r.id))] as const)));
    const plan = planRoleChanges({ rules: ok, desired, current, holding: await stores.roleLeftAlone.current() });
    const changes = [...plan.remove.map((c) => ({ op: 'remove' as const, c })), ...plan.add.map((c) => ({ op: 'add' as const, c }))];
    summary.planned = changes.length;
    const byId = new Map(ok.map((r) => [r.id, r]));
    const deps = { rest: this.client.rest, stores, guildId: guild.id, signal: this.abort.signal };
    for (const { op, c } of changes) {
      if (blocked.has(c.ruleId)) continue;
      if (this.stopping || lease.lost || summary.applied >= this.opts.maxChanges) {
        summary.deferred++;
        continue;
      }
      const rule = byId.get(c.ruleId)!;
      summary.applied++;
      const out = await this.applyOne(op, c, rule, deps);
      metrics.roleChanges.inc({ op, result: out.result });
      if (out.result === 'already_held' || out.result === 'member_left') await stores.roleLeftAlone.leave(c.roleId, [c.discordId], now + RECHECK_AFTER_MS);
      if (out.problem) {
        for (const r of ok) {
          if (r.roleId !== c.roleId) continue;
          blocked.add(r.id);
          await stores.roleRewards.setStatus(r.id, { state: 'problem', ...out.problem });
        }
        logger.warn({ rule: c.ruleId, role: c.roleId, op, result: out.result, err: out.error }, 'role change refused; rule skipped until the next sync');
      }
    }
    if (lease.lost) logger.warn({ done: summary.applied, left: summary.deferred }, 'role sync: lost the sync lease to another replica; the rest next sync');
    else if (summary.deferred > 0 && !this.stopping) logger.info({ done: summary.applied, left: summary.deferred }, 'role sync: change budget reached, the rest next sync');
    for (const r of ok) if (!blocked.has(r.id)) await stores.roleRewards.setStatus(r.id, { state: 'ok' });
    summary.problems = blocked.size;
    metrics.roleRuleProblems.set(blocked.size);
    return summary;
  }

  private async applyOne(op: 'add' | 'remove', c: RoleChange, rule: RoleRewardRule, deps: Parameters<typeof grant>[0]): Promise<ChangeOutcome> {
    let out: ChangeOutcome;
    try {
      out = op === 'add' ? await grant(deps, c, grantReason(rule)) : await revoke(deps, c, `Role reward "${rule.name}": condition no longer met`.slice(0, 512));
    } catch (err) {
      // A call cut short because the bot is stopping says nothing about the rule; the next start converges.
      out = this.stopping ? { result: 'error', error: err } : classify(err);
    }
    const log = { rule: c.ruleId, role: c.roleId, member: c.discordId, op, result: out.result };
    if (out.result === 'ok' || out.result === 'converged') this.ctx.logger.info(log, op === 'add' ? 'role granted' : 'role removed');
    else if (!out.problem) this.ctx.logger.info(log, 'role change skipped');
    return out;
  }

  /** Sync again just after the next period boundary (a week or season starting or ending). */
  private scheduleBoundary(at: number): void {
    if (this.stopping || at === this.boundaryAt) return;
    clearTimeout(this.boundaryTimer);
    this.boundaryAt = at;
    const delay = Math.min(Math.max(0, at - this.ctx.now()) + 1_000, 6 * 3_600_000);
    this.boundaryTimer = setTimeout(() => {
      this.boundaryAt = 0;
      this.trigger('period boundary');
    }, delay);
    this.boundaryTimer.unref();
  }
}
