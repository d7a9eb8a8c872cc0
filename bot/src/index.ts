import { ConfigError, createLogger, logProcessFailures, onShutdown } from '@engagement-tracker/core';
import { loadBotConfig } from './config';
import { startBot } from './setup';

/** Entry point: load config, start the bot, stop cleanly on SIGTERM. */
async function main(): Promise<void> {
  const logger = createLogger('bot');
  let config;
  try {
    config = loadBotConfig();
  } catch (err) {
    logger.fatal({ problems: err instanceof ConfigError ? err.problems : undefined, err }, 'invalid configuration');
    process.exit(2);
  }
  logProcessFailures(logger);
  const bot = await startBot(config, logger);
  onShutdown(logger, [() => bot.stop()]);
}

main().catch((err: unknown) => {
  createLogger('bot').fatal({ err }, 'bot failed to start');
  process.exit(1);
});
