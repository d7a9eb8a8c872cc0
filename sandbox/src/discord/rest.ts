import { HttpError, type Req } from './http';
import { EPHEMERAL, type PendingInteraction } from './interactions';
import type { OAuthDouble } from './oauth';
import { snowflake, type DoubleMessage, type DoubleState } from './state';

/** A role given or taken through REST (`changed` is false when the member already had / lacked it). */
export interface RoleChange {
  guildId: string;
  userId: string;
  roleId: string;
  action: 'add' | 'remove';
  changed: boolean;
  reason: string | null;
  at: number;
}

/** A per-guild bucket of `limit` member-role changes per `windowMs`, as Discord's per-route buckets. */
export interface MemberRoleLimit {
  limit: number;
  windowMs: number;
}

/** What the Discord double's routes share: its state, pending interactions, auth checks and message writes. */
export interface RestContext {
  state: DoubleState;
  oauth: OAuthDouble;
  /** Interactions sent to the bot, by id and by token. */
  pending: Map<string, PendingInteraction>;
  byToken: Map<string, PendingInteraction>;
  /** Called on every message created or edited (tests waiting for a message). */
  messageWaiters: Set<() => void>;
  /** The double's http://host:port, once it listens. */
  origin(): string;
  /** Member role changes made through REST, in order (refused ones are not recorded). */
  roleChanges: RoleChange[];
  /** The member-role routes' rate limit (one bucket per guild, shared by add and remove). */
  memberRoleLimit: MemberRoleLimit;
  /** 429s the double answered on its own buckets (not injected faults), in order. */
  rateLimited: Array<{ route: string; at: number }>;
  /** Send a gateway event to the connected bot. */
  dispatch(event: string, data: unknown): void;
  botAuth(req: Req): void;
  bearerUser(req: Req): string | null;
  createMessage(channelId: string, body: Record<string, unknown>, extra?: Partial<DoubleMessage>): DoubleMessage;
  editMessage(msg: DoubleMessage, body: Record<string, unknown>): DoubleMessage;
  interactionFor(app: string, token: string): PendingInteraction;
  originalOf(p: PendingInteraction): DoubleMessage;
  resolveMessageId(p: PendingInteraction, id: string): DoubleMessage;
}

export function createRestContext(state: DoubleState, oauth: OAuthDouble, opts: { tokenTtlMs: number; origin: () => string; dispatch: (event: string, data: unknown) => void; memberRoleLimit: MemberRoleLimit }): RestContext {
  const pending = new Map<string, PendingInteraction>();
  const byToken = new Map<string, PendingInteraction>();
  const messageWaiters = new Set<() => void>();
  const notifyMessages = () => {
    for (const w of [...messageWaiters]) w();
  };
  const botAuth = (req: Req) => {
    if (req.headers.authorization !== `Bot ${state.botToken}`) throw new HttpError(401, 0, '401: Unauthorized');
  };
  const bearerUser = (req: Req): string | null => {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    return m?.[1] ? oauth.userForToken(m[1]) : null;
  };
  const createMessage = (channelId: string, body: Record<string, unknown>, extra: Partial<DoubleMessage> = {}): DoubleMessage => {
    const channel = state.channel(channelId);
    const msg: DoubleMessage = {
      id: snowflake(),
      channel_id: channelId,
      ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
      author: state.botUser,
      content: String(body.content ?? ''),
      embeds: (body.embeds as unknown[]) ?? [],
      components: (body.components as unknown[]) ?? [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
      flags: Number(body.flags ?? 0),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...extra,
    };
    state.messages.set(msg.id, msg);
    notifyMessages();
    return msg;
  };
  const editMessage = (msg: DoubleMessage, body: Record<string, unknown>) => {
    if ('content' in body) msg.content = String(body.content ?? '');
    if ('embeds' in body) msg.embeds = (body.embeds as unknown[]) ?? [];
    if ('components' in body) msg.components = (body.components as unknown[]) ?? [];
    if ('flags' in body && body.flags !== undefined) msg.flags = (msg.flags & EPHEMERAL) | Number(body.flags);
    msg.flags &= ~128; // no longer "thinking"
    msg.edited_timestamp = new Date().toISOString();
    notifyMessages();
    return msg;
  };
  const interactionFor = (app: string, token: string): PendingInteraction => {
    const p = byToken.get(token);
    if (app !== state.applicationId || !p || Date.now() - p.createdAt > opts.tokenTtlMs) throw new HttpError(404, 10015, 'Unknown Webhook');
    if (!p.acknowledged) throw new HttpError(404, 10015, 'Unknown Webhook');
    return p;
  };
  const originalOf = (p: PendingInteraction): DoubleMessage => {
    const m = p.originalMessageId ? state.messages.get(p.originalMessageId) : undefined;
    if (!m) throw new HttpError(404, 10008, 'Unknown Message');
    return m;
  };
  const resolveMessageId = (p: PendingInteraction, id: string): DoubleMessage => {
    if (id === '@original') return originalOf(p);
    if (!p.followUpIds.includes(id) && id !== p.originalMessageId) throw new HttpError(404, 10008, 'Unknown Message');
    const m = state.messages.get(id);
    if (!m) throw new HttpError(404, 10008, 'Unknown Message');
    return m;
  };

  return { state, oauth, pending, byToken, messageWaiters, origin: opts.origin, roleChanges: [], memberRoleLimit: opts.memberRoleLimit, rateLimited: [], dispatch: opts.dispatch, botAuth, bearerUser, createMessage, editMessage, interactionFor, originalOf, resolveMessageId };
}
