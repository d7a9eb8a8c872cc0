import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { TIER_NAMES, type Tier } from '@engagement-tracker/core';
import { setTier } from '../../usecases/set-tier';
import { UserError, type BotCommand } from '../types';

/** /tier <member> <level>: admins set a member's tier (1-3); audited. */
export const tier: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('tier')
    .setDescription("Set a member's tier (admins only)")
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(0)
    .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
    .addIntegerOption((o) =>
      o.setName('level').setDescription('1 Basic, 2 Active, 3 Power').setRequired(true).setMinValue(1).setMaxValue(3)
        .addChoices({ name: '1 · Basic', value: 1 }, { name: '2 · Active', value: 2 }, { name: '3 · Power', value: 3 }),
    )
    .toJSON(),
  ephemeral: true,
  preconditions: ['GuildOnly', 'AdminOnly'],
  async execute(i, ctx) {
    const user = i.options.getUser('member', true);
    if (user.bot) throw new UserError('Bots have no tier.', 'bad_target');
    const member = i.options.getMember('member');
    const name = member && 'displayName' in member ? member.displayName : (user.globalName ?? user.username);
    const res = await setTier(ctx.stores, { targetId: user.id, targetName: name, level: i.options.getInteger('level', true), actorId: i.user.id });
    if (!res.ok) throw new UserError(res.message, res.code);
    const label = (t: Tier) => `${t} (${TIER_NAMES[t]})`;
    return { content: res.before === res.after ? `<@${user.id}> is already tier ${label(res.after)}.` : `<@${user.id}> is now tier ${label(res.after)} (was ${label(res.before)}).` };
  },
};
