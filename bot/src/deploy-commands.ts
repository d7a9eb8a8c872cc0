import { REST, Routes } from 'discord.js';
import { createLogger } from '@engagement-tracker/core';
import { COMMANDS } from './commands';
import { loadBotConfig } from './config';

/**
 * `npm run register-commands`: registers every slash command for DISCORD_GUILD_ID (instant), or
 * globally when no guild is set (or with --global). Overwrites the previous set (bulk PUT).
 */
export async function deployCommands(opts: { global?: boolean } = {}): Promise<{ scope: string; count: number }> {
  const config = loadBotConfig();
  const rest = new REST({ api: config.discord.apiBaseUrl }).setToken(config.discord.token);
  const appId = config.discord.applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const body = [...COMMANDS.values()].map((c) => c.data);
  const guildId = opts.global ? undefined : config.discord.guildId;
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  const res = (await rest.put(route, { body })) as unknown[];
  return { scope: guildId ? `guild ${guildId}` : 'global', count: res.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const logger = createLogger('register-commands');
  deployCommands({ global: process.argv.includes('--global') })
    .then((r) => logger.info(r, 'commands registered'))
    .catch((err: unknown) => {
      logger.error({ err }, 'registering commands failed');
      process.exit(1);
    });
}
