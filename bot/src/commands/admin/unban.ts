import type { BotCommand } from '../types';
import { moderationCommand, runModeration } from './moderation-options';

/** /unban <member> <reason>: admins lift a ban; audited. */
export const unban: BotCommand = {
  data: moderationCommand('unban', 'Lift a ban (admins only)'),
  ephemeral: true,
  preconditions: ['GuildOnly', 'AdminOnly'],
  execute: (i, ctx) => runModeration('unban', i, ctx),
};
