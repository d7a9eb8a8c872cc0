import type { Client } from 'discord.js';
import type { Season } from '@engagement-tracker/core';
import type { BotContext } from '../context';
import { homeGuild } from '../guild';

/** The reward zone when a season does not name one. */
export const DEFAULT_REWARD_TOP = 10;
/** Seasons that ended longer ago than this are not announced late (e.g. on a first start). */
const ANNOUNCE_WITHIN_MS = 7 * 86_400_000;

/** The announcement text: the season's name and its final top N (Discord mentions, points). */
export function seasonEndMessage(season: Season, top: Array<{ rank: number; discordId: string; points: number }>): string {
  const head = `🏁 **${season.name}** has ended! Final top ${season.rewardTop ?? DEFAULT_REWARD_TOP}:`;
  if (!top.length) return `🏁 **${season.name}** has ended. Nobody scored on its board.`;
  return [head, ...top.map((e) => `${e.rank}. <@${e.discordId}> — ${e.points} pts`)].join('\n');
}

/**
 * Announce each season that has ended in the engagement channel, once: the claim (markAnnounced)
 * succeeds for one caller only, so two bot replicas or a restart never announce twice; a failed send
 * gives the claim back so the next check retries.
 */
export async function announceEndedSeasons(client: Client, ctx: BotContext, onEnded?: (season: Season) => void): Promise<number> {
  const { stores, config, logger } = ctx;
  let sent = 0;
  for (const season of await stores.seasons.unannounced(ANNOUNCE_WITHIN_MS)) {
    if (!(await stores.seasons.markAnnounced(season.id))) continue;
    onEnded?.(season);
    try {
      const top = await stores.leaderboard.top({ board: 'season', season: season.id, offset: 0, limit: season.rewardTop ?? DEFAULT_REWARD_TOP });
      const channel = homeGuild(client, config)?.channels.cache.find((c) => c.name === config.engagementChannel);
      if (!channel?.isSendable()) throw new Error(`no sendable #${config.engagementChannel} channel`);
      await channel.send({ content: seasonEndMessage(season, top.entries), allowedMentions: { parse: [] } });
      sent++;
      logger.info({ season: season.id, top: top.entries.length }, 'season end announced');
    } catch (err) {
      await stores.seasons.unmarkAnnounced(season.id);
      logger.error({ err, season: season.id }, 'season end announcement failed; will retry');
    }
  }
  return sent;
}

/** Check for ended seasons every `intervalMs` (`onEnded`: told of each season that ended); returns a stop function. */
export function startSeasonEndLoop(client: Client, ctx: BotContext, intervalMs: number, onEnded?: (season: Season) => void): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await announceEndedSeasons(client, ctx, onEnded);
    } catch (err) {
      ctx.logger.error({ err }, 'season end check failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
