import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../context';
import { deny, ok, type Precondition } from './types';

/** Member role ids from either a cached GuildMember or the raw API member of the interaction. */
export function memberRoleIds(i: ChatInputCommandInteraction): string[] {
  const m = i.member;
  if (!m) return [];
  return Array.isArray(m.roles) ? m.roles : [...m.roles.cache.keys()];
}

export function isAdmin(i: ChatInputCommandInteraction, ctx: BotContext): boolean {
  if (ctx.config.adminRoleIds.length) return memberRoleIds(i).some((r) => ctx.config.adminRoleIds.includes(r));
  return i.memberPermissions?.has(PermissionFlagsBits.Administrator) ?? false;
}

/**
 * Runtime check behind `default_member_permissions`: server admins can change who sees a command,
 * so the configured admin roles (ADMIN_ROLE_IDS) are checked again here.
 */
export const AdminOnly: Precondition = (i, ctx) => (isAdmin(i, ctx) ? ok : deny('Only admins can use this command.'));
