import { randomBytes } from 'node:crypto';
import { snowflake, type CommandOption, type DoubleMessage, type DoubleState } from './state';

/** Interaction types and callback types from the Discord API. */
export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
export const CallbackType = { Pong: 1, Reply: 4, DeferReply: 5, DeferUpdate: 6, Update: 7, Autocomplete: 8, Modal: 9 } as const;
export const EPHEMERAL = 64;

/** What a member does: run a slash command, press a button, or type into an autocompleted option. */
export type InteractAction =
  | { command: string; subcommand?: string; options?: Record<string, string | number | boolean> }
  | { button: string; message: string }
  | { autocomplete: string; focused: string; options?: Record<string, string | number | boolean> };

export interface InteractOptions {
  /** Discord id of the member acting. */
  as: string;
  guildId?: string;
  /** Channel id or name; defaults to the guild's first text channel. */
  channel?: string;
  /** Act from the member's DMs with the bot instead of a guild channel. */
  dm?: boolean;
  locale?: string;
}

/** Thrown (as a rejection of interact()) when the bot did not answer in time: "The application did not respond". */
export class InteractionFailedError extends Error {
  constructor(readonly interactionId: string, readonly reason: 'timeout' | 'not_connected') {
    super(reason === 'timeout' ? 'The application did not respond (no callback within 3 s)' : 'No bot is connected to the gateway');
    this.name = 'InteractionFailedError';
  }
}

export interface MessageView {
  id: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: Array<Record<string, unknown>>;
  flags: number;
  ephemeral: boolean;
}

export interface InteractionResult {
  id: string;
  token: string;
  /** Callback type the bot answered with (4 reply, 5 defer, 6 defer update, 7 update, 8 autocomplete). */
  type: number;
  /** Body `data` of the callback. */
  data: Record<string, unknown>;
  /** INTERACTION_CREATE sent -> callback received, in ms. */
  latencyMs: number;
  ephemeral: boolean;
  /** Autocomplete choices (type 8). */
  choices: Array<{ name: string; value: string | number }>;
  /**
   * The message the member finally sees: the reply itself, or for a deferred answer the first edit of
   * the original message (waits up to timeoutMs).
   */
  reply(timeoutMs?: number): Promise<MessageView>;
  /** Follow-up messages sent so far through the interaction webhook. */
  followUps(): MessageView[];
}

export interface PendingInteraction {
  id: string;
  token: string;
  type: number;
  userId: string;
  guildId: string;
  channelId: string;
  createdAt: number;
  sentAt: number;
  acknowledged: boolean;
  expired: boolean;
  callback?: { type: number; data: Record<string, unknown>; at: number };
  /** The message a component was attached to (component interactions), else the reply message. */
  originalMessageId?: string;
  originalEdits: number;
  followUpIds: string[];
  resolve: (r: InteractionResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  editWaiters: Array<() => void>;
}

export function toView(m: DoubleMessage): MessageView {
  return {
    id: m.id,
    content: m.content,
    embeds: m.embeds as MessageView['embeds'],
    components: m.components as MessageView['components'],
    flags: m.flags,
    ephemeral: (m.flags & EPHEMERAL) !== 0,
  };
}

const OPTION_TYPE = { SubCommand: 1, String: 3, Integer: 4, Boolean: 5, User: 6, Channel: 7, Role: 8, Number: 10 } as const;

function inferType(v: unknown): number {
  if (typeof v === 'boolean') return OPTION_TYPE.Boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? OPTION_TYPE.Integer : OPTION_TYPE.Number;
  return OPTION_TYPE.String;
}

/** Build the `data` of an application-command or autocomplete interaction, typed from the registered definition. */
export function buildCommandData(
  state: DoubleState,
  guildId: string,
  name: string,
  opts: { subcommand?: string; options?: Record<string, string | number | boolean>; focused?: string },
): Record<string, unknown> {
  const def = state.findCommand(name, guildId);
  let defs: CommandOption[] = def?.options ?? [];
  const resolved: { users: Record<string, unknown>; members: Record<string, unknown> } = { users: {}, members: {} };
  const guild = state.guild(guildId);
  const mk = (entries: Record<string, string | number | boolean>) =>
    Object.entries(entries).map(([k, v]) => {
      const type = defs.find((o) => o.name === k)?.type ?? inferType(v);
      if (type === OPTION_TYPE.User) {
        const m = guild.members.get(String(v));
        if (m) {
          resolved.users[m.user.id] = m.user;
          resolved.members[m.user.id] = { roles: m.roles, nick: m.nick, joined_at: m.joined_at, permissions: String(state.permissionsOf(guild, m)) };
        } else {
          resolved.users[String(v)] = { id: String(v), username: `user${v}`, global_name: null, discriminator: '0', avatar: null };
        }
      }
      return { name: k, type, value: type === OPTION_TYPE.User ? String(v) : v, ...(opts.focused === k ? { focused: true } : {}) };
    });
  let options: unknown[];
  if (opts.subcommand) {
    defs = def?.options?.find((o) => o.name === opts.subcommand)?.options ?? [];
    options = [{ name: opts.subcommand, type: OPTION_TYPE.SubCommand, options: mk(opts.options ?? {}) }];
  } else {
    options = mk(opts.options ?? {});
  }
  return {
    id: def?.id ?? snowflake(),
    name,
    type: 1,
    guild_id: def?.guild_id,
    options,
    ...(Object.keys(resolved.users).length ? { resolved } : {}),
  };
}

export function newToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`;
}
