import type { Logger } from 'pino';
import { ApiResponseError } from 'twitter-api-v2';
import type { MemberNotifier } from './discord-dm';
import type { Stores } from './redis/stores';

/** The DM a member gets (once per link) when X stops accepting their grant. */
export const RECONNECT_MESSAGE = '⚠️ X no longer accepts the authorization you gave this community, so your likes cannot be counted. Run /connect to link your X account again (reposts, replies and quotes still count meanwhile).';

/** The reason recorded on a member whose token refresh X refused (batch and bot alike). */
export const REFRESH_REFUSED_REASON = 'X refused to refresh the authorization (revoked or expired): reconnect with /connect.';

/**
 * X refused a token refresh for good: the grant is dead (400 invalid_grant, 401, another 4xx).
 * A 429 (X's limit), a 5xx or a request that got no answer is not: the next attempt may succeed.
 */
export function refreshRefused(err: unknown): boolean {
  return err instanceof ApiResponseError && err.code >= 400 && err.code < 500 && err.code !== 429;
}

/**
 * Mark a member `needs_reconnect` and tell them by DM, once per link whichever process (the batch,
 * the bot) finds the dead grant first: the notice is claimed in Redis before the DM is sent.
 * `told` is null when someone else already claimed it (or no notifier is given), else whether the DM
 * went out. A member no longer linked is left as is (`marked` false).
 */
export async function markNeedsReconnect(
  deps: { stores: Stores; notify?: MemberNotifier | undefined; logger?: Logger },
  conn: { discordId: string; linkedAt: number },
  reason: string,
): Promise<{ marked: boolean; told: boolean | null }> {
  const marked = await deps.stores.connections.setStatus(conn.discordId, 'needs_reconnect', reason);
  deps.logger?.warn({ discordId: conn.discordId }, 'member X authorization unusable; marked needs_reconnect');
  if (!marked || !deps.notify || !(await deps.stores.connections.claimReconnectNotice(conn.discordId, conn.linkedAt))) return { marked, told: null };
  return { marked, told: await deps.notify(conn.discordId, RECONNECT_MESSAGE) };
}
