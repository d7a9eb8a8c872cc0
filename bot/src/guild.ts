import type { Client, Guild } from 'discord.js';
import type { BotConfig } from './config';

/** The community's guild: DISCORD_GUILD_ID when set, else the only (first) guild the bot is in. */
export function homeGuild(client: Client, config: BotConfig): Guild | undefined {
  return config.discord.guildId ? client.guilds.cache.get(config.discord.guildId) : client.guilds.cache.first();
}
