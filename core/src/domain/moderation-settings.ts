import { ValidationError } from '../errors';
import { DEFAULT_ELIGIBILITY, objectOf, validateEligibilityRules, type EligibilityRules } from './eligibility';
import { DEFAULT_REPLY_RULES, validateReplyRules, type ReplyRules } from './reply-quality';

/** Everything admins set against farming (console: Moderation settings). */
export interface ModerationSettings {
  eligibility: EligibilityRules;
  replies: ReplyRules;
  /** After unlinking, a member cannot link a different X account for this long (0 = off). */
  relinkCooldownHours: number;
}

export const DEFAULT_MODERATION: ModerationSettings = { eligibility: DEFAULT_ELIGIBILITY, replies: DEFAULT_REPLY_RULES, relinkCooldownHours: 0 };

export const MAX_RELINK_COOLDOWN_HOURS = 24 * 365;

/** Apply an admin's change (any of the three parts) to the current settings, validated. Pure. */
export function applyModerationChange(current: ModerationSettings, change: unknown): ModerationSettings {
  const o = objectOf(change, 'Settings');
  const unknown = Object.keys(o).filter((k) => !(k in DEFAULT_MODERATION));
  if (unknown.length) throw new ValidationError(`Unknown setting(s): ${unknown.join(', ')}`, 'invalid_settings');
  const next: ModerationSettings = { ...current };
  if (o.eligibility !== undefined) next.eligibility = validateEligibilityRules(o.eligibility);
  if (o.replies !== undefined) next.replies = validateReplyRules(o.replies);
  if (o.relinkCooldownHours !== undefined) {
    const h = o.relinkCooldownHours;
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > MAX_RELINK_COOLDOWN_HOURS) {
      throw new ValidationError(`Relink cooldown must be a whole number of hours from 0 (off) to ${MAX_RELINK_COOLDOWN_HOURS} (got ${JSON.stringify(h)})`, 'invalid_settings');
    }
    next.relinkCooldownHours = h;
  }
  return next;
}
