import { createRedis, createStores, SANDBOX_ENCRYPTION_KEY } from '@engagement-tracker/core';

/** The example role reward of sandbox mode: the Regular role at this many all-time points. */
export const DEMO_REWARD_POINTS = 5;

/**
 * Sandbox mode only: when no role reward exists yet, create one ("Regular" at a few all-time points, for the
 * sandbox guild's Regular role) so a newcomer sees the bot give roles as the community earns points. Runs
 * through the product's store, audited as `sandbox`. Returns the rule id, or null when rules already exist.
 */
export async function seedDemoRoleReward(redisUrl: string, prefix: string, roleId: string): Promise<string | null> {
  const redis = createRedis(redisUrl);
  try {
    const stores = createStores(redis, { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    if ((await stores.roleRewards.list()).length) return null;
    const rule = await stores.roleRewards.create({ name: 'Regular', roleId, condition: { type: 'points', minPoints: DEMO_REWARD_POINTS }, removeWhenLost: false, enabled: true }, 'sandbox');
    return rule.id;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
