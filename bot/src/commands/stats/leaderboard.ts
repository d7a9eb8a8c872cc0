import { SlashCommandBuilder } from 'discord.js';
import { isBoardChoice, leaderboardPage, resolvePeriod } from '../../usecases/leaderboard-page';
import { leaderboardEmbed } from '../../views/embeds';
import { UserError, type BotCommand } from '../types';
import { leaderboardAutocomplete } from './leaderboard.autocomplete';

/**
 * /leaderboard [window] [season] [period]: top 10 of a day, week, month (the current one or a past one),
 * a season or all time, with page buttons and the caller's rank.
 */
export const leaderboard: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Show the top engagers')
    .addStringOption((o) =>
      o
        .setName('window')
        .setDescription('Which board (default: this week)')
        .addChoices(
          { name: 'today', value: 'daily' },
          { name: 'this week', value: 'weekly' },
          { name: 'this month', value: 'monthly' },
          { name: 'season', value: 'season' },
          { name: 'all time', value: 'alltime' },
        ),
    )
    .addStringOption((o) => o.setName('season').setDescription('A season (default: the running one)').setAutocomplete(true).setMaxLength(80))
    .addStringOption((o) => o.setName('period').setDescription('A past day, week or month, e.g. 2026-W47 (default: the current one)').setAutocomplete(true).setMaxLength(10))
    .toJSON(),
  ephemeral: false,
  async execute(i, ctx) {
    const season = i.options.getString('season') ?? undefined;
    const period = i.options.getString('period') ?? undefined;
    const asked = i.options.getString('window');
    const now = ctx.now();
    if (season && period) throw new UserError('Pick a season or a period, not both.', 'bad_option');
    if (period) {
      const r = resolvePeriod(asked, period, now);
      if (!r.ok) throw new UserError(r.message, 'bad_period');
      const page = (await leaderboardPage(ctx.stores, { board: r.board, period: r.period, page: 0, viewerId: i.user.id, now }))!;
      if (page.periodEnded && page.total === 0) {
        throw new UserError(`There is no board for ${r.period}: nobody earned points then, or it is older than the boards are kept.`, 'no_board');
      }
      return leaderboardEmbed(page);
    }
    const board = season ? 'season' : isBoardChoice(asked) ? asked : 'weekly';
    const page = await leaderboardPage(ctx.stores, { board, page: 0, viewerId: i.user.id, now, ...(season ? { season } : {}) });
    if (!page) throw new UserError(season ? `There is no season called "${season}".` : 'There is no season yet. Ask an admin to start one.', 'no_season');
    return leaderboardEmbed(page);
  },
  autocomplete: leaderboardAutocomplete,
};
