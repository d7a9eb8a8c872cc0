import { type Stores } from '@engagement-tracker/core';

export type ModerateOutcome = { ok: true; changed: boolean } | { ok: false; code: 'bad_reason' | 'bad_target'; message: string };

/**
 * Ban or unban a member with a reason; the store audits it with the acting admin. A ban stops
 * awards at once, hides the member from leaderboards and refuses /submit; points and history stay.
 */
export async function moderateMember(
  stores: Stores,
  input: { action: 'ban' | 'unban'; targetId: string; targetName: string; reason: string; actorId: string },
): Promise<ModerateOutcome> {
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) return { ok: false, code: 'bad_reason', message: 'Give a reason of 3 to 500 characters.' };
  if (input.targetId === input.actorId && input.action === 'ban') return { ok: false, code: 'bad_target', message: 'You cannot ban yourself.' };
  const actor = `discord:${input.actorId}`;
  if (input.action === 'ban') {
    await stores.members.ensure(input.targetId, input.targetName);
    return { ok: true, changed: await stores.bans.ban(input.targetId, reason, actor) };
  }
  return { ok: true, changed: await stores.bans.unban(input.targetId, reason, actor) };
}
