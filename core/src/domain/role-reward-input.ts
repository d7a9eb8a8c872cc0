import { z } from 'zod';
import { ROLE_ID_RE, ROLE_REWARD_LIMITS, SEASON_ID_RE } from './role-rewards';

/*
 * The input schema of a role reward rule. Exported from the package index, not from the domain index:
 * the console imports the domain and has no use for zod.
 */

const conditionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('points'),
    minPoints: z.number().int('minPoints must be a whole number').min(ROLE_REWARD_LIMITS.minPoints.min, 'minPoints must be at least 1').max(ROLE_REWARD_LIMITS.minPoints.max),
  }),
  z.strictObject({
    type: z.literal('rank'),
    board: z.enum(['season', 'week'], { message: 'board must be "season" or "week"' }),
    top: z.number().int('top must be a whole number').min(ROLE_REWARD_LIMITS.top.min, 'top must be 1 to 100').max(ROLE_REWARD_LIMITS.top.max, 'top must be 1 to 100'),
    seasonId: z.string().regex(SEASON_ID_RE, 'must be a season id').optional(),
  }),
]);

/** What an admin gives for a rule (create, or the whole rule on edit). */
export const roleRewardInputSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'name is required').max(ROLE_REWARD_LIMITS.nameMax, `name must be at most ${ROLE_REWARD_LIMITS.nameMax} characters`),
    roleId: z.string().regex(ROLE_ID_RE, 'must be a Discord role id (17-20 digits)'),
    condition: conditionSchema,
    removeWhenLost: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .refine((r) => r.condition.type !== 'rank' || r.condition.board === 'season' || r.condition.seasonId === undefined, {
    message: 'seasonId is only for the season board',
    path: ['condition', 'seasonId'],
  });

export type RoleRewardInput = z.output<typeof roleRewardInputSchema>;

