import { isTier, TIER_NAMES, type Stores, type Tier } from '@engagement-tracker/core';

export type SetTierOutcome =
  | { ok: true; before: Tier; after: Tier }
  | { ok: false; code: 'out_of_range'; message: string };

/** Change a member's tier (1-3); the store writes the audit entry with the acting admin. */
export async function setTier(
  stores: Stores,
  input: { targetId: string; targetName: string; level: number; actorId: string },
): Promise<SetTierOutcome> {
  if (!isTier(input.level)) {
    return { ok: false, code: 'out_of_range', message: `Tier must be 1, 2 or 3 (${Object.entries(TIER_NAMES).map(([k, v]) => `${k} ${v}`).join(', ')}).` };
  }
  await stores.members.ensure(input.targetId, input.targetName);
  const res = await stores.members.setTier(input.targetId, input.level, `discord:${input.actorId}`);
  return { ok: true, ...res };
}
