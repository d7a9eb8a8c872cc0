import { CUSTOM_ID_PREFIXES } from '../../custom-id';
import { isBoardChoice, leaderboardPage } from '../../usecases/leaderboard-page';
import { leaderboardEmbed } from '../../views/embeds';
import { UserError, type ButtonHandler } from '../types';

/**
 * Page buttons of /leaderboard (`lb:<board>:<page>:<ownerId>[:<seasonId or period>]`). The member who ran the
 * command pages the message itself; anyone else gets that page privately, with their own rank. The day, week
 * or month stays the one the message shows, also once it is over.
 */
export const leaderboardPageButtons: ButtonHandler = {
  prefix: CUSTOM_ID_PREFIXES.leaderboardPage,
  mode: (i, args) => (args[2] === i.user.id ? 'update' : 'ephemeral'),
  async run(i, args, ctx) {
    const board = isBoardChoice(args[0]) ? args[0] : 'weekly';
    const page = Math.max(0, Number.parseInt(args[1] ?? '0', 10) || 0);
    const which = !args[3] ? {} : board === 'season' ? { season: args[3] } : { period: args[3] };
    const result = await leaderboardPage(ctx.stores, { board, page, viewerId: i.user.id, now: ctx.now(), ...which });
    if (!result) throw new UserError('That season is gone.', 'no_season');
    return leaderboardEmbed(result);
  },
};
