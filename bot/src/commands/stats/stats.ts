import { SlashCommandBuilder } from 'discord.js';
import { memberStats } from '../../usecases/member-stats';
import { statsEmbed } from '../../views/embeds';
import type { BotCommand } from '../types';

/** /stats [member]: points, ranks, tier, counts per kind and link status (ephemeral). */
export const stats: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('stats')
    .setDescription('Show engagement points, ranks and tier')
    .addUserOption((o) => o.setName('member').setDescription('Whose stats (default: yours)'))
    .toJSON(),
  ephemeral: true,
  async execute(i, ctx) {
    const target = i.options.getUser('member') ?? i.user;
    return statsEmbed(await memberStats(ctx.stores, target.id, ctx.now()), target.id === i.user.id);
  },
};
