import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotContext } from '../context';
import type { PreconditionName } from '../preconditions';

/** What a command or button answers with; the interaction listener sends it (reply, edit or update). */
export interface ReplyPayload {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  /** Work to do once the reply is sent (e.g. announcing in a channel), so it never delays the answer. */
  after?: () => Promise<unknown>;
}

/** A refusal the member can act on: sent as a friendly ephemeral message, logged at info. */
export class UserError extends Error {
  constructor(message: string, readonly code = 'refused') {
    super(message);
    this.name = 'UserError';
  }
}

export interface BotCommand {
  /** The slash command as registered (toJSON() of a SlashCommandBuilder). */
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Replies about one member are ephemeral. Decided up front: a deferred reply keeps it. */
  ephemeral: boolean;
  preconditions?: PreconditionName[];
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<ReplyPayload>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Array<{ name: string; value: string }> | Promise<Array<{ name: string; value: string }>>;
}

/** A component interaction handler, matched by custom-id prefix (see custom-id.ts). */
export interface ButtonHandler {
  prefix: string;
  /** 'update' edits the message the button is on; 'ephemeral' answers the presser privately. */
  mode(interaction: ButtonInteraction, args: string[]): 'update' | 'ephemeral';
  run(interaction: ButtonInteraction, args: string[], ctx: BotContext): Promise<ReplyPayload>;
}
