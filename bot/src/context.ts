import type { Logger, Stores, XClientFactory } from '@engagement-tracker/core';
import type { ConnectTicketSigner } from '@engagement-tracker/core';
import type { BotConfig } from './config';
import type { BotMetrics } from './metrics';

/** Everything a command needs, built once at startup. */
export interface BotContext {
  config: BotConfig;
  stores: Stores;
  x: XClientFactory;
  tickets: ConnectTicketSigner;
  logger: Logger;
  metrics: BotMetrics;
  now: () => number;
}
