import { SlashCommandBuilder } from 'discord.js';
import { isBoardChoice, leaderboardPage } from '../../usecases/leaderboard-page';
import { leaderboardEmbed } from '../../views/embeds';
import { UserError, type BotCommand } from '../types';

/** /leaderboard [window] [season]: top 10 of a day, week, month, season or all time, with page buttons and the caller's rank. */
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
    .toJSON(),
  ephemeral: false,
  async execute(i, ctx) {
    const season = i.options.getString('season') ?? undefined;
    const asked = i.options.getString('window');
    const board = season ? 'season' : isBoardChoice(asked) ? asked : 'weekly';
    const page = await leaderboardPage(ctx.stores, { board, page: 0, viewerId: i.user.id, now: ctx.now(), ...(season ? { season } : {}) });
    if (!page) throw new UserError(season ? `There is no season called "${season}".` : 'There is no season yet. Ask an admin to start one.', 'no_season');
    return leaderboardEmbed(page);
  },
  async autocomplete(i, ctx) {
    const typed = i.options.getFocused().toLowerCase();
    const order = { running: 0, ended: 1, scheduled: 2 } as const;
    return (await ctx.stores.seasons.list())
      .filter((s) => s.name.toLowerCase().includes(typed))
      .sort((a, b) => order[a.status] - order[b.status] || b.startsAt - a.startsAt)
      .slice(0, 25)
      .map((s) => ({ name: `${s.name} (${s.status})`.slice(0, 100), value: s.id }));
  },
};
