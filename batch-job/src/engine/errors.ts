import { ApiResponseError } from 'twitter-api-v2';

/** The run must stop here and end as partial; the next run resumes from the saved watermarks. */
export class StopRun extends Error {
  constructor(
    readonly reason: 'rate_limited' | 'budget' | 'wall_time' | 'cancelled',
    message: string,
    /** Epoch ms when a rate-limit window reopens. */
    readonly resumeAt?: number,
  ) {
    super(message);
    this.name = 'StopRun';
  }
}

/** A member's OAuth grant is gone (revoked, refresh refused): mark needs_reconnect, skip, go on. */
export class TokenRevoked extends Error {
  constructor(readonly discordId: string, message: string) {
    super(message);
    this.name = 'TokenRevoked';
  }
}

/** Another process is refreshing this member's token and did not finish in time: skip them this run. */
export class TokenBusy extends TokenRevoked {
  constructor(discordId: string) {
    super(discordId, 'Another process is refreshing this member\'s X token.');
    this.name = 'TokenBusy';
  }
}

/**
 * X answered 429 for one member's own rate-limit bucket (a request with their user token): only
 * that member (or post, when read with its author's token) is skipped; the run goes on and ends
 * partial, and the read is tried again once the bucket reopens (later in this run when that is soon,
 * else the next run). App-wide limits stop the run (StopRun).
 */
export class MemberThrottled extends Error {
  constructor(
    /** Discord id of the member whose token was used. */
    readonly discordId: string,
    readonly endpoint: string,
    /** Epoch ms when the member's window reopens. */
    readonly resetAt: number,
  ) {
    super(`X rate limit for ${endpoint} with this member's token is used up until ${new Date(resetAt).toISOString()}`);
    this.name = 'MemberThrottled';
  }
}

/** X refused one read (400 bad request, 403 forbidden, 404 not found): record it, never fail the run. */
export interface Refusal {
  subject: 'member' | 'post';
  /** Discord id of the member, or the post id. */
  id: string;
  endpoint: string;
  status: number;
  reason: string;
}

/** The status and X's explanation when `err` is a refused read (400/403/404), else null. */
export function refusalOf(err: unknown): { status: number; reason: string } | null {
  if (!(err instanceof ApiResponseError) || ![400, 403, 404].includes(err.code)) return null;
  const body = err.data as { detail?: string; title?: string; errors?: Array<{ message?: string }> } | undefined;
  const reason = body?.errors?.[0]?.message ?? body?.detail ?? body?.title ?? err.message;
  return { status: err.code, reason: String(reason).slice(0, 300) };
}
