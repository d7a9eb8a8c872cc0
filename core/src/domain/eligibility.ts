import { ValidationError } from '../errors';

const DAY = 86_400_000;

/**
 * Who can earn. Every rule is off at its default (0, false, empty), so a community that sets
 * nothing keeps today's behaviour.
 */
export interface EligibilityRules {
  /** Minimum age of the linked X account, in days (0 = off). */
  minXAccountAgeDays: number;
  /** Minimum X followers (0 = off). */
  minFollowers: number;
  /** The X account must not be protected (its posts and likes hidden from the public). */
  requireUnprotected: boolean;
  /** Minimum time in the Discord server, in days (0 = off). */
  minServerDays: number;
  /** The member must hold at least one of these Discord roles (empty = off). */
  requiredRoleIds: string[];
}

export const DEFAULT_ELIGIBILITY: EligibilityRules = { minXAccountAgeDays: 0, minFollowers: 0, requireUnprotected: false, minServerDays: 0, requiredRoleIds: [] };

/** What the product knows about a member: X facts from linking and the daily user lookup, Discord facts from the bot. */
export interface EligibilityFacts {
  /** When the X account was created (epoch ms). */
  xCreatedAt?: number;
  followers?: number;
  protected?: boolean;
  /** When the member joined the Discord server (epoch ms). */
  guildJoinedAt?: number;
  roleIds?: string[];
}

export type EligibilityCode = 'x_account_age' | 'min_followers' | 'protected' | 'server_time' | 'roles';

export interface Unmet {
  code: EligibilityCode;
  /** For the member, e.g. "your X account must be 30 days old (it is 12 days old)". */
  detail: string;
  /** When this rule will be met with time alone (age rules only). */
  qualifiesAt?: number;
}

export interface EligibilityVerdict {
  eligible: boolean;
  unmet: Unmet[];
  /** When every unmet rule is a time rule: the moment the member qualifies. */
  qualifiesAt?: number;
}

const days = (ms: number) => Math.max(0, Math.floor(ms / DAY));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Check a member against the rules at `now`. Pure. */
export function checkEligibility(rules: EligibilityRules, facts: EligibilityFacts, now: number): EligibilityVerdict {
  const unmet: Unmet[] = [];
  const age = (code: 'x_account_age' | 'server_time', minDays: number, since: number | undefined, what: string, unknown: string) => {
    if (minDays <= 0) return;
    if (since === undefined) return void unmet.push({ code, detail: unknown });
    const at = since + minDays * DAY;
    if (at > now) unmet.push({ code, detail: `${what} must be at least ${plural(minDays, 'day')} (it is ${plural(days(now - since), 'day')}; you qualify on ${date(at)})`, qualifiesAt: at });
  };
  age('x_account_age', rules.minXAccountAgeDays, facts.xCreatedAt, 'your X account\'s age', 'the age of your X account is not known yet (it is read when you link and once a day)');
  if (rules.minFollowers > 0) {
    if (facts.followers === undefined) unmet.push({ code: 'min_followers', detail: 'your X follower count is not known yet (it is read when you link and once a day)' });
    else if (facts.followers < rules.minFollowers) unmet.push({ code: 'min_followers', detail: `you need ${plural(rules.minFollowers, 'follower')} on X (you have ${facts.followers})` });
  }
  if (rules.requireUnprotected && facts.protected !== false) {
    unmet.push({ code: 'protected', detail: facts.protected ? 'your X account is protected: make your posts public' : 'whether your X account is protected is not known yet' });
  }
  age('server_time', rules.minServerDays, facts.guildJoinedAt, 'your time in this server', 'your time in this server is not known yet (use any bot command)');
  if (rules.requiredRoleIds.length && !rules.requiredRoleIds.some((r) => facts.roleIds?.includes(r))) {
    unmet.push({ code: 'roles', detail: `you need one of these roles: ${rules.requiredRoleIds.map((r) => `<@&${r}>`).join(', ')}` });
  }
  const timed = unmet.every((u) => u.qualifiesAt !== undefined);
  return {
    eligible: unmet.length === 0,
    unmet,
    ...(unmet.length && timed ? { qualifiesAt: Math.max(...unmet.map((u) => u.qualifiesAt!)) } : {}),
  };
}

/** One line for the member: what they miss and when they could qualify. */
export function describeEligibility(v: EligibilityVerdict): string {
  if (v.eligible) return 'You meet every rule to earn points.';
  const list = v.unmet.map((u) => `• ${u.detail}`).join('\n');
  return `You do not earn points yet:\n${list}${v.qualifiesAt ? `\nYou qualify on ${date(v.qualifiesAt)}; engagement on posts still tracked then is awarded.` : ''}`;
}

const SNOWFLAKE = /^\d{17,20}$/;
const MAX_DAYS = 3650;
const MAX_FOLLOWERS = 10_000_000;

/** Validate eligibility rules from an admin (whole object). Clear messages for every bad field. */
export function validateEligibilityRules(input: unknown): EligibilityRules {
  const o = objectOf(input, 'Eligibility rules');
  const problems: string[] = [];
  const whole = (key: keyof EligibilityRules, max: number, label: string): number => {
    const v = o[key] ?? DEFAULT_ELIGIBILITY[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      problems.push(`${label} must be a whole number from 0 (off) to ${max.toLocaleString('en-US')} (got ${JSON.stringify(v)})`);
      return 0;
    }
    return v;
  };
  const rules: EligibilityRules = {
    minXAccountAgeDays: whole('minXAccountAgeDays', MAX_DAYS, 'Minimum X account age (days)'),
    minFollowers: whole('minFollowers', MAX_FOLLOWERS, 'Minimum followers'),
    requireUnprotected: false,
    minServerDays: whole('minServerDays', MAX_DAYS, 'Minimum time in the server (days)'),
    requiredRoleIds: [],
  };
  const unprotected = o.requireUnprotected ?? false;
  if (typeof unprotected !== 'boolean') problems.push('"Not protected" must be true or false');
  else rules.requireUnprotected = unprotected;
  const roles = o.requiredRoleIds ?? [];
  if (!Array.isArray(roles) || roles.length > 25 || roles.some((r) => typeof r !== 'string' || !SNOWFLAKE.test(r))) {
    problems.push('Required roles must be a list of at most 25 Discord role ids (17 to 20 digits)');
  } else rules.requiredRoleIds = [...new Set(roles as string[])];
  const unknown = Object.keys(o).filter((k) => !(k in DEFAULT_ELIGIBILITY));
  if (unknown.length) problems.push(`Unknown eligibility setting(s): ${unknown.join(', ')}`);
  if (problems.length) throw new ValidationError(problems.join('; '), 'invalid_eligibility');
  return rules;
}

export function objectOf(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError(`${what} must be an object`, 'invalid');
  return input as Record<string, unknown>;
}
