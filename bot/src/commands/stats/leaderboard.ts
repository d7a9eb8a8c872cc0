import { SlashCommandBuilder } from 'discord.js';
import { leaderboardPage, type BoardChoice } from '../../usecases/leaderboard-page';
import { leaderboardEmbed } from '../../views/embeds';
import type { BotCommand } from '../types';

/** /leaderboard [weekly|all-time]: top 10 with page buttons and the caller's rank. */
export const leaderboard: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Show the top engagers')
    .addStringOption((o) =>
      o.setName('board').setDescription('Which board (default: weekly)').addChoices({ name: 'weekly', value: 'weekly' }, { name: 'all-time', value: 'alltime' }),
    )
    .toJSON(),
  ephemeral: false,
  async execute(i, ctx) {
    const board: BoardChoice = i.options.getString('board') === 'alltime' ? 'alltime' : 'weekly';
    return leaderboardEmbed(await leaderboardPage(ctx.stores, { board, page: 0, viewerId: i.user.id, now: ctx.now() }));
  },
};
