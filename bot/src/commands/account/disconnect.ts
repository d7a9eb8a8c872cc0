import { SlashCommandBuilder } from 'discord.js';
import { UserError, type BotCommand } from '../types';

/**
 * /disconnect: remove the member's X link and their stored tokens, then (best effort, after the
 * reply) revoke the tokens at X so the app's access ends there too.
 */
export const disconnect: BotCommand = {
  data: new SlashCommandBuilder().setName('disconnect').setDescription('Unlink your X account and delete its stored tokens').toJSON(),
  ephemeral: true,
  preconditions: ['GuildOnly'],
  async execute(i, ctx) {
    const tokens = await ctx.stores.connections.getTokens(i.user.id).catch(() => null);
    const removed = await ctx.stores.connections.unlink(i.user.id, `discord:${i.user.id}`);
    if (!removed) throw new UserError('You have no X account linked.', 'not_linked');
    return {
      content: `Unlinked @${removed.handle}. Your tokens were deleted; your points stay. Use /connect to link again.`,
      after: async () => {
        if (!tokens || !ctx.config.x.clientId) return;
        const oauth = ctx.x.oauth();
        await oauth.revokeOAuth2Token(tokens.accessToken, 'access_token');
        if (tokens.refreshToken) await oauth.revokeOAuth2Token(tokens.refreshToken, 'refresh_token');
        ctx.logger.info({ discordId: i.user.id }, 'X tokens revoked');
      },
    };
  },
};
