import { GuildMember, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../../context';
import { moderateMember } from '../../usecases/moderate-member';
import { UserError, type ReplyPayload } from '../types';

/** The shared shape of /ban and /unban: a member and a reason, admins only. */
export function moderationCommand(name: 'ban' | 'unban', description: string) {
  return new SlashCommandBuilder()
    .setName(name)
    .setDescription(description)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(0)
    .addUserOption((o) => o.setName('member').setDescription('The member').setRequired(true))
    .addStringOption((o) => o.setName('reason').setDescription('Why (kept in the audit log)').setRequired(true).setMinLength(3).setMaxLength(500))
    .toJSON();
}

export async function runModeration(action: 'ban' | 'unban', i: ChatInputCommandInteraction, ctx: BotContext): Promise<ReplyPayload> {
  const user = i.options.getUser('member', true);
  if (user.bot) throw new UserError('Bots do not take part in the engagement program.', 'bad_target');
  const member = i.options.getMember('member');
  const name = member instanceof GuildMember ? member.displayName : (user.globalName ?? user.username);
  const res = await moderateMember(ctx.stores, { action, targetId: user.id, targetName: name, reason: i.options.getString('reason', true), actorId: i.user.id });
  if (!res.ok) throw new UserError(res.message, res.code);
  if (action === 'ban') {
    return { content: res.changed ? `<@${user.id}> is banned: no points from now on, hidden from the leaderboards, /submit refused. Their points and history are kept.` : `<@${user.id}> was already banned.` };
  }
  return { content: res.changed ? `<@${user.id}> is no longer banned and is back on the leaderboards.` : `<@${user.id}> was not banned.` };
}
