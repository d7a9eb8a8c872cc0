import type { Logger } from 'pino';

/** Tells a member something in a Discord DM (linking outcome, reconnect needed); never throws. */
export type MemberNotifier = (discordId: string, content: string) => Promise<boolean>;

/**
 * Sends a Discord DM with the bot token over REST (`POST /users/@me/channels`, then
 * `POST /channels/{id}/messages`), against DISCORD_API_BASE_URL (the sandbox double in sandbox mode).
 */
export function createDiscordDmNotifier(opts: { apiBaseUrl: string; botToken: string; logger: Logger; timeoutMs?: number }): MemberNotifier {
  const base = `${opts.apiBaseUrl.replace(/\/+$/, '')}/v10`;
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bot ${opts.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
    });
    if (!res.ok) throw new Error(`Discord ${path.replace(/\d{5,}/g, ':id')} answered ${res.status}`);
    return (await res.json()) as { id: string };
  };
  return async (discordId, content) => {
    try {
      const dm = await call('/users/@me/channels', { recipient_id: discordId });
      await call(`/channels/${dm.id}/messages`, { content, allowed_mentions: { parse: [] } });
      return true;
    } catch (err) {
      opts.logger.warn({ err, discordId }, 'could not DM member (DMs closed or Discord unavailable)');
      return false;
    }
  };
}
