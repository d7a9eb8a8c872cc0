import { deny, ok, type Precondition } from './types';

/**
 * Commands that act on the community only work inside its server: not in DMs, and not in another
 * server the bot was added to (where that server's own admins would pass AdminOnly's permission
 * fallback, and members, tiers and points are global).
 */
export const GuildOnly: Precondition = (i, ctx) => {
  if (!i.inGuild()) return deny('This command only works inside the server.');
  const home = ctx.config.discord.guildId;
  if (home && i.guildId !== home) return deny('This command only works in the community server this bot serves.');
  return ok;
};
