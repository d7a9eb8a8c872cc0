import type { BotCommand } from '../types';
import { moderationCommand, runModeration } from './moderation-options';

/** /ban <member> <reason>: admins ban a member from earning; audited. */
export const ban: BotCommand = {
  data: moderationCommand('ban', 'Ban a member from earning points (admins only)'),
  ephemeral: true,
  preconditions: ['GuildOnly', 'AdminOnly'],
  execute: (i, ctx) => runModeration('ban', i, ctx),
};
