import type { ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../context';

export type PreconditionResult = { ok: true } | { ok: false; message: string };
export type Precondition = (interaction: ChatInputCommandInteraction, ctx: BotContext) => PreconditionResult | Promise<PreconditionResult>;

export const ok: PreconditionResult = { ok: true };
export const deny = (message: string): PreconditionResult => ({ ok: false, message });
