import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from 'discord.js';
import { connectStartUrl } from '@engagement-tracker/core';
import type { BotCommand } from '../types';

/**
 * /connect: an ephemeral link button to the admin API's /connect/x/start with a signed, expiring,
 * single-use ticket naming the member. The OAuth (PKCE) exchange happens there; the member is told
 * the outcome by DM and on the web page.
 */
export const connect: BotCommand = {
  data: new SlashCommandBuilder().setName('connect').setDescription('Link your X account to earn points for engaging').toJSON(),
  ephemeral: true,
  preconditions: ['GuildOnly'],
  async execute(i, ctx) {
    const existing = await ctx.stores.connections.get(i.user.id);
    const displayName = i.member && 'displayName' in i.member ? i.member.displayName : (i.user.globalName ?? i.user.username);
    const { token, ticket } = ctx.tickets.sign({ kind: 'ticket', discordId: i.user.id, displayName });
    const url = connectStartUrl(ctx.config.publicBaseUrl, token);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel(existing ? 'Reconnect X account' : 'Connect X account').setURL(url),
    );
    const intro = existing
      ? existing.status === 'needs_reconnect'
        ? `Your X account @${existing.handle} needs to be reconnected. Use the button below.`
        : `You are linked to @${existing.handle}. To link it again (for example after revoking access on X), use the button below; to link a different account, run /disconnect first.`
      : 'Link your X account so your likes, retweets and replies earn points.';
    return {
      content: `${intro}\nThe link is personal and works once, until <t:${Math.floor(ticket.expiresAt / 1000)}:t>. We ask X for read-only access (tweet.read, users.read, like.read, offline.access).`,
      components: [row.toJSON()],
    };
  },
};
