import { DiscordAPIError, RateLimitError, Routes, type REST } from 'discord.js';
import type { RoleChange, RoleRuleProblem, Stores } from '@engagement-tracker/core';

/** What became of one planned change (the metric's `result` label). */
export type ChangeResult = 'ok' | 'converged' | 'already_held' | 'member_left' | 'forbidden' | 'role_not_found' | 'rate_limited' | 'error';

export interface ChangeOutcome {
  result: ChangeResult;
  /** Set when the rule's role cannot be changed any more this sync (its status becomes a problem). */
  problem?: { problem: RoleRuleProblem; message: string };
  error?: unknown;
}

export interface ApplyDeps {
  rest: REST;
  stores: Stores;
  guildId: string;
  /** Aborts a Discord call still queued when the bot stops. */
  signal: AbortSignal;
}

const codeOf = (err: unknown) => (err instanceof DiscordAPIError ? Number(err.code) : undefined);

/** Sort a Discord failure into a result, and the rule problem it reveals if any. */
export function classify(err: unknown): ChangeOutcome {
  const code = codeOf(err);
  if (code === 10007) return { result: 'member_left' };
  if (code === 10011) return { result: 'role_not_found', problem: { problem: 'role_not_found', message: 'Discord says the role does not exist (was it deleted?). Pick an existing role for this rule.' } };
  if (code === 50013 || code === 50001) {
    return { result: 'forbidden', problem: { problem: 'discord_error', message: `Discord refused the change: ${(err as Error).message}. Check the bot's Manage Roles permission and that its role is above this one.` } };
  }
  if (err instanceof RateLimitError) return { result: 'rate_limited', problem: { problem: 'rate_limited', message: `Discord rate-limited role changes (retry after ${Math.ceil(err.retryAfter / 1000)} s); the rest wait for the next sync.` } };
  return { result: 'error', problem: { problem: 'discord_error', message: `Discord did not take the change: ${(err as Error)?.message ?? String(err)}` }, error: err };
}

/**
 * Give a member the rule's role. The member is read first: one who already holds the role is recorded as
 * granted only when the bot's own intent says it made that grant before an interruption; otherwise a human
 * gave it, and the bot leaves it alone (it will never remove it). Else: intent, Discord call, record, clear.
 */
export async function grant(d: ApplyDeps, c: RoleChange, reason: string): Promise<ChangeOutcome> {
  const member = (await d.rest.get(Routes.guildMember(d.guildId, c.discordId), { signal: d.signal })) as { roles: string[] };
  if (member.roles.includes(c.roleId)) {
    if (!(await d.stores.roleIntents.fresh(c.ruleId)).has(c.discordId)) return { result: 'already_held' };
    await d.stores.roleRewards.recordGranted(c.ruleId, c.discordId, 'bot', `${reason} (the grant was interrupted before it was recorded)`);
    await d.stores.roleIntents.clear(c.ruleId, c.discordId);
    return { result: 'converged' };
  }
  await d.stores.roleIntents.mark(c.ruleId, c.discordId);
  try {
    await d.rest.put(Routes.guildMemberRole(d.guildId, c.discordId, c.roleId), { reason, signal: d.signal });
  } catch (err) {
    // Discord answered no: nothing was granted, so the intent must not vouch for a later holder.
    if (err instanceof DiscordAPIError) await d.stores.roleIntents.clear(c.ruleId, c.discordId);
    throw err;
  }
  await d.stores.roleRewards.recordGranted(c.ruleId, c.discordId, 'bot', reason);
  await d.stores.roleIntents.clear(c.ruleId, c.discordId);
  return { result: 'ok' };
}

/** Take the role back from a member the bot granted it to; one who left the server is simply no longer a holder. */
export async function revoke(d: ApplyDeps, c: RoleChange, reason: string): Promise<ChangeOutcome> {
  try {
    await d.rest.delete(Routes.guildMemberRole(d.guildId, c.discordId, c.roleId), { reason, signal: d.signal });
  } catch (err) {
    if (codeOf(err) !== 10007) throw err;
    await d.stores.roleRewards.recordRemoved(c.ruleId, c.discordId, 'bot', 'member left the server');
    return { result: 'member_left' };
  }
  await d.stores.roleRewards.recordRemoved(c.ruleId, c.discordId, 'bot', reason);
  return { result: 'ok' };
}
