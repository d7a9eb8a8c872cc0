import { SlashCommandBuilder } from 'discord.js';
import { UserError, type BotCommand } from '../types';

/** /disconnect: remove the member's X link and their stored tokens. */
export const disconnect: BotCommand = {
  data: new SlashCommandBuilder().setName('disconnect').setDescription('Unlink your X account and delete its stored tokens').toJSON(),
  ephemeral: true,
  preconditions: ['GuildOnly'],
  async execute(i, ctx) {
    const removed = await ctx.stores.connections.unlink(i.user.id, `discord:${i.user.id}`);
    if (!removed) throw new UserError('You have no X account linked.', 'not_linked');
    return { content: `Unlinked @${removed.handle}. Your tokens were deleted; your points stay. Use /connect to link again.` };
  },
};
