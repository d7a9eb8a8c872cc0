import { CUSTOM_ID_PREFIXES } from '../../custom-id';
import { leaderboardPage } from '../../usecases/leaderboard-page';
import { leaderboardEmbed } from '../../views/embeds';
import type { ButtonHandler } from '../types';

/**
 * Page buttons of /leaderboard (`lb:<board>:<page>:<ownerId>`). The member who ran the command pages
 * the message itself; anyone else gets that page privately, with their own rank.
 */
export const leaderboardPageButtons: ButtonHandler = {
  prefix: CUSTOM_ID_PREFIXES.leaderboardPage,
  mode: (i, args) => (args[2] === i.user.id ? 'update' : 'ephemeral'),
  async run(i, args, ctx) {
    const board = args[0] === 'alltime' ? 'alltime' : 'weekly';
    const page = Math.max(0, Number.parseInt(args[1] ?? '0', 10) || 0);
    return leaderboardEmbed(await leaderboardPage(ctx.stores, { board, page, viewerId: i.user.id, now: ctx.now() }));
  },
};
