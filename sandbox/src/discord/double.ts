import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from './gateway';
import { HttpError, readBody, Router, send, sendError, type Req } from './http';
import {
  buildCommandData,
  CallbackType,
  EPHEMERAL,
  InteractionFailedError,
  InteractionType,
  newToken,
  toView,
  type InteractAction,
  type InteractionResult,
  type InteractOptions,
  type MessageView,
  type PendingInteraction,
} from './interactions';
import { OAuthDouble } from './oauth';
import { DoubleState, snowflake, type DoubleMessage, type GuildSeed, type MemberSeed, type RegisteredCommand } from './state';
import { validateMessageBody } from './validate';

export interface DiscordDoubleOptions {
  port?: number;
  host?: string;
  applicationId?: string;
  botToken?: string;
  clientSecret?: string;
  guilds?: GuildSeed[];
  /** Deadline for the first interaction response (Discord: 3 s). */
  interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for edits and follow-ups (Discord: 15 min). */
  interactionTokenTtlMs?: number;
  heartbeatIntervalMs?: number;
  /** URL clients reach the double at, when it differs from the listen address (e.g. a Service in a cluster). */
  publicUrl?: string;
}

/** Answer the next `count` matching REST calls with `status` (429 carries Retry-After), or delay them. */
export interface RestFault {
  method?: string;
  /** Matched against the path below /api/v<N>, e.g. /^\/channels\/\d+\/messages$/. */
  path?: RegExp;
  status?: number;
  retryAfterMs?: number;
  delayMs?: number;
  count: number;
}

/** One REST call the bot made, as recorded by the double. */
export interface RecordedCall {
  method: string;
  /** Path below /api/v<N>, e.g. `/channels/123/messages`. */
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface DiscordDouble {
  /** REST base to give discord.js as `rest.api` (also DISCORD_API_BASE_URL), e.g. http://127.0.0.1:PORT/api */
  readonly url: string;
  /** The OAuth2 authorize page (DISCORD_OAUTH_AUTHORIZE_URL). */
  readonly authorizeUrl: string;
  readonly origin: string;
  readonly applicationId: string;
  readonly botToken: string;
  readonly clientSecret: string;
  /** The settings that point the bot and the admin API at this double (DISCORD_API_BASE_URL, ...). */
  env(): Record<'DISCORD_API_BASE_URL' | 'DISCORD_OAUTH_AUTHORIZE_URL' | 'DISCORD_BOT_TOKEN' | 'DISCORD_APPLICATION_ID' | 'DISCORD_CLIENT_SECRET', string>;
  /** Seedable state: guilds with roles, channels and members; registered commands; messages. */
  readonly state: DoubleState;
  readonly oauth: OAuthDouble;
  readonly gateway: Gateway;
  /** Every REST call the bot made, in order. */
  readonly sent: RecordedCall[];
  readonly members: {
    add(seed: MemberSeed, guildId?: string): string;
    setRoles(userId: string, roles: string[], guildId?: string): void;
    ids(guildId?: string): string[];
  };
  /** Id of a channel by name in the (first) guild. */
  channelId(name: string, guildId?: string): string;
  /** Messages posted in a channel (id or name) or a member's DMs, oldest first. */
  messages(channel: string): MessageView[];
  dms(userId: string): MessageView[];
  /** Resolves when a message matching the predicate is posted in the channel. */
  waitForMessage(channel: string, pred?: (m: MessageView) => boolean, timeoutMs?: number): Promise<MessageView>;
  waitForDm(userId: string, pred?: (m: MessageView) => boolean, timeoutMs?: number): Promise<MessageView>;
  /** Send INTERACTION_CREATE as a member and await the bot's callback (rejects after the 3 s deadline). */
  interact(opts: InteractOptions & InteractAction): Promise<InteractionResult>;
  /** Inject REST failures (429 with Retry-After, 5xx) or delays for the next matching calls. */
  failRest(fault: Omit<RestFault, 'count'> & { count?: number }): void;
  /** Resolves once a bot has identified (or resumed) on the gateway. */
  waitForBot(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDiscordDouble(opts: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
  const state = new DoubleState(opts);
  for (const g of opts.guilds ?? [{ channels: [{ name: 'general' }, { name: 'engagement-tracker' }] }]) state.addGuild(g);
  const deadlineMs = opts.interactionDeadlineMs ?? 3000;
  const tokenTtlMs = opts.interactionTokenTtlMs ?? 15 * 60_000;
  const oauth = new OAuthDouble(state);
  const sent: RecordedCall[] = [];
  const pending = new Map<string, PendingInteraction>();
  const byToken = new Map<string, PendingInteraction>();
  const messageWaiters = new Set<() => void>();
  const faults: RestFault[] = [];
  let origin = '';
  const gateway = new Gateway(state, { heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250, url: () => origin.replace(/^http/, 'ws') });

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
    if (app !== state.applicationId || !p || Date.now() - p.createdAt > tokenTtlMs) throw new HttpError(404, 10015, 'Unknown Webhook');
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

  const router = new Router();
  oauth.routes(router);
  router
    .on('GET', '/gateway', () => ({ json: { url: origin.replace(/^http/, 'ws') } }))
    .on('GET', '/gateway/bot', (req) => {
      botAuth(req);
      return {
        json: {
          url: origin.replace(/^http/, 'ws'),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      };
    })
    .on('GET', '/users/@me', (req) => {
      const userId = bearerUser(req);
      if (userId) return { json: { ...state.findUser(userId), email: null, verified: true, locale: 'en-US', mfa_enabled: false } };
      botAuth(req);
      return { json: state.botUser };
    })
    .on('GET', '/users/@me/guilds', (req) => {
      const userId = bearerUser(req);
      if (!userId) throw new HttpError(401, 0, '401: Unauthorized');
      return { json: [...state.guilds.values()].filter((g) => g.members.has(userId)).map((g) => ({ id: g.id, name: g.name, icon: null, owner: g.ownerId === userId, permissions: '0', features: [] })) };
    })
    .on('GET', '/users/@me/guilds/:guild/member', (req) => {
      const userId = bearerUser(req);
      if (!userId) throw new HttpError(401, 0, '401: Unauthorized');
      const m = state.guilds.get(req.params[0]!)?.members.get(userId);
      if (!m) throw new HttpError(404, 10004, 'Unknown Guild');
      return { json: m };
    })
    .on('GET', '/users/:user', (req) => {
      botAuth(req);
      const u = state.findUser(req.params[0]!);
      if (!u) throw new HttpError(404, 10013, 'Unknown User');
      return { json: u };
    })
    .on('POST', '/users/@me/channels', (req) => {
      botAuth(req);
      const recipient = String(req.body.recipient_id ?? '');
      const user = state.findUser(recipient);
      if (!user) throw new HttpError(400, 50033, 'Invalid Recipient(s)');
      let ch = [...state.dmChannels.values()].find((c) => c.recipientId === recipient);
      if (!ch) {
        ch = { id: snowflake(), name: '', type: 1, recipientId: recipient };
        state.dmChannels.set(ch.id, ch);
      }
      return { json: { id: ch.id, type: 1, recipients: [user], last_message_id: null } };
    })
    .on('GET', '/applications/@me', (req) => {
      botAuth(req);
      return { json: { id: state.applicationId, name: state.botUser.username, bot: state.botUser, flags: 0, owner: null, icon: null, description: '' } };
    })
    .on('GET', '/oauth2/applications/@me', (req) => {
      botAuth(req);
      return { json: { id: state.applicationId, name: state.botUser.username, bot: state.botUser, flags: 0, owner: null, icon: null, description: '' } };
    });

  const commandRoutes = (prefix: string, guildOf: (req: Req) => string | undefined) => {
    const checkApp = (req: Req) => {
      botAuth(req);
      if (req.params[0] !== state.applicationId) throw new HttpError(403, 50001, 'Missing Access');
      const guildId = guildOf(req);
      if (guildId && !state.guilds.has(guildId)) throw new HttpError(403, 50001, 'Missing Access');
      return guildId;
    };
    const toRegistered = (body: Record<string, unknown>, guildId: string | undefined, existing?: RegisteredCommand): RegisteredCommand => {
      if (typeof body.name !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(body.name)) throw new HttpError(400, 50035, 'Invalid Form Body (name)');
      if ((body.type ?? 1) === 1 && (typeof body.description !== 'string' || body.description.length < 1 || body.description.length > 100)) {
        throw new HttpError(400, 50035, 'Invalid Form Body (description)');
      }
      return {
        ...(body as object),
        id: existing?.id ?? snowflake(),
        application_id: state.applicationId,
        ...(guildId ? { guild_id: guildId } : {}),
        name: body.name,
        description: String(body.description ?? ''),
        type: Number(body.type ?? 1),
        default_member_permissions: (body.default_member_permissions as string | null | undefined) ?? null,
        version: snowflake(),
      } as RegisteredCommand;
    };
    router
      .on('GET', prefix, (req) => ({ json: [...state.commandsFor(checkApp(req)).values()] }))
      .on('PUT', prefix, (req) => {
        const guildId = checkApp(req);
        const list = Array.isArray(req.body) ? (req.body as Record<string, unknown>[]) : [];
        if (list.length > 100) throw new HttpError(400, 30032, 'Maximum number of application commands reached (100)');
        const cmds = state.commandsFor(guildId);
        const next = list.map((b) => toRegistered(b, guildId, cmds.get(String(b.name))));
        cmds.clear();
        for (const c of next) cmds.set(c.name, c);
        return { json: next };
      })
      .on('POST', prefix, (req) => {
        const guildId = checkApp(req);
        const cmds = state.commandsFor(guildId);
        const c = toRegistered(req.body, guildId, cmds.get(String(req.body.name)));
        cmds.set(c.name, c);
        return { status: 201, json: c };
      })
      .on('DELETE', `${prefix}/:command`, (req) => {
        const guildId = checkApp(req);
        const cmds = state.commandsFor(guildId);
        const c = [...cmds.values()].find((x) => x.id === req.params.at(-1));
        if (!c) throw new HttpError(404, 10063, 'Unknown application command');
        cmds.delete(c.name);
        return undefined;
      });
  };
  commandRoutes('/applications/:app/commands', () => undefined);
  commandRoutes('/applications/:app/guilds/:guild/commands', (req) => req.params[1]);

  router
    .on('GET', '/channels/:channel', (req) => {
      botAuth(req);
      const c = state.channel(req.params[0]!);
      if (!c) throw new HttpError(404, 10003, 'Unknown Channel');
      return { json: { id: c.id, name: c.name, type: c.type, guild_id: c.guild_id, position: 0, permission_overwrites: [] } };
    })
    .on('POST', '/channels/:channel/messages', (req) => {
      botAuth(req);
      if (!state.channel(req.params[0]!)) throw new HttpError(404, 10003, 'Unknown Channel');
      validateMessageBody(req.body);
      return { json: createMessage(req.params[0]!, req.body) };
    })
    .on('GET', '/channels/:channel/messages/:message', (req) => {
      botAuth(req);
      const m = state.messages.get(req.params[1]!);
      if (!m || m.channel_id !== req.params[0]) throw new HttpError(404, 10008, 'Unknown Message');
      return { json: m };
    })
    .on('PATCH', '/channels/:channel/messages/:message', (req) => {
      botAuth(req);
      const m = state.messages.get(req.params[1]!);
      if (!m || m.channel_id !== req.params[0]) throw new HttpError(404, 10008, 'Unknown Message');
      validateMessageBody(req.body, true);
      return { json: editMessage(m, req.body) };
    })
    .on('GET', '/guilds/:guild', (req) => {
      botAuth(req);
      const g = state.guilds.get(req.params[0]!);
      if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
      const { members: _m, channels: _c, ...rest } = state.guildPayload(g, 0);
      return { json: rest };
    })
    .on('GET', '/guilds/:guild/roles', (req) => {
      botAuth(req);
      const g = state.guilds.get(req.params[0]!);
      if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
      return { json: state.guildPayload(g, 0).roles };
    })
    .on('GET', '/guilds/:guild/channels', (req) => {
      botAuth(req);
      const g = state.guilds.get(req.params[0]!);
      if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
      return { json: state.guildPayload(g, 0).channels };
    })
    .on('GET', '/guilds/:guild/members', (req) => {
      botAuth(req);
      const g = state.guilds.get(req.params[0]!);
      if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
      const limit = Math.min(1000, Number(req.query.get('limit') ?? 1));
      const after = BigInt(req.query.get('after') ?? '0');
      const list = [...g.members.values()].filter((m) => BigInt(m.user.id) > after).sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1));
      return { json: list.slice(0, limit) };
    })
    .on('GET', '/guilds/:guild/members/:user', (req) => {
      botAuth(req);
      const g = state.guilds.get(req.params[0]!);
      if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
      const m = g.members.get(req.params[1]!);
      if (!m) throw new HttpError(404, 10007, 'Unknown Member');
      return { json: m };
    });

  // Interactions: the first response, then webhook edits and follow-ups.
  router
    .on('POST', '/interactions/:id/:token/callback', (req) => {
      const p = pending.get(req.params[0]!);
      if (!p || p.token !== req.params[1] || p.expired) throw new HttpError(404, 10062, 'Unknown interaction');
      if (p.acknowledged) throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
      const type = Number(req.body.type);
      const data = (req.body.data as Record<string, unknown> | undefined) ?? {};
      const allowed: number[] =
        p.type === InteractionType.Autocomplete
          ? [CallbackType.Autocomplete]
          : p.type === InteractionType.MessageComponent
            ? [CallbackType.Reply, CallbackType.DeferReply, CallbackType.DeferUpdate, CallbackType.Update, CallbackType.Modal]
            : [CallbackType.Reply, CallbackType.DeferReply, CallbackType.Modal];
      if (!allowed.includes(type)) throw new HttpError(400, 50035, `Invalid Form Body (callback type ${type})`);
      if (type === CallbackType.Reply || type === CallbackType.Update) validateMessageBody(data, type === CallbackType.Update);
      if (type === CallbackType.Autocomplete) {
        const choices = (data.choices as unknown[] | undefined) ?? [];
        if (choices.length > 25) throw new HttpError(400, 50035, 'Invalid Form Body (choices: at most 25)');
      }
      clearTimeout(p.timer);
      p.acknowledged = true;
      const at = Date.now();
      p.callback = { type, data, at };
      const interaction_metadata = { id: p.id, type: p.type, user: state.findUser(p.userId), authorizing_integration_owners: { '0': p.guildId } };
      if (type === CallbackType.Reply) {
        p.originalMessageId = createMessage(p.channelId, data, { webhook_id: state.applicationId, application_id: state.applicationId, type: 20, interaction_metadata }).id;
      } else if (type === CallbackType.DeferReply) {
        const flags = (Number(data.flags ?? 0) & EPHEMERAL) | 128;
        p.originalMessageId = createMessage(p.channelId, { content: '', flags }, { webhook_id: state.applicationId, application_id: state.applicationId, type: 20, interaction_metadata }).id;
      } else if (type === CallbackType.Update) {
        editMessage(originalOf(p), data);
      }
      const result: InteractionResult = {
        id: p.id,
        token: p.token,
        type,
        data,
        latencyMs: at - p.sentAt,
        ephemeral: (Number(data.flags ?? 0) & EPHEMERAL) !== 0,
        choices: (data.choices as InteractionResult['choices']) ?? [],
        reply: (timeoutMs = 5000) => {
          const current = () => (p.originalMessageId ? state.messages.get(p.originalMessageId) : undefined);
          const done = () => {
            const m = current();
            if (type === CallbackType.Reply || type === CallbackType.Update) return m;
            return p.originalEdits > 0 ? m : undefined;
          };
          return new Promise<MessageView>((resolve, reject) => {
            const check = () => {
              const m = done();
              if (!m) return false;
              clearTimeout(t);
              p.editWaiters = p.editWaiters.filter((w) => w !== check);
              resolve(toView(m));
              return true;
            };
            const t = setTimeout(() => reject(new Error(`no reply to interaction ${p.id} within ${timeoutMs} ms (callback type ${type})`)), timeoutMs);
            if (!check()) p.editWaiters.push(check);
          });
        },
        followUps: () => p.followUpIds.map((id) => toView(state.messages.get(id)!)),
      };
      p.resolve(result);
      if (req.query.get('with_response') === 'true') {
        const message = p.originalMessageId ? state.messages.get(p.originalMessageId) : undefined;
        return {
          json: {
            interaction: { id: p.id, type: p.type, response_message_id: p.originalMessageId, response_message_loading: type === CallbackType.DeferReply, response_message_ephemeral: result.ephemeral },
            resource: { type, ...(message ? { message } : {}) },
          },
        };
      }
      return undefined;
    })
    .on('GET', '/webhooks/:app/:token/messages/:message', (req) => {
      const p = interactionFor(req.params[0]!, req.params[1]!);
      return { json: resolveMessageId(p, req.params[2]!) };
    })
    .on('PATCH', '/webhooks/:app/:token/messages/:message', (req) => {
      const p = interactionFor(req.params[0]!, req.params[1]!);
      const m = resolveMessageId(p, req.params[2]!);
      validateMessageBody(req.body, true);
      editMessage(m, req.body);
      if (m.id === p.originalMessageId) {
        p.originalEdits++;
        for (const w of [...p.editWaiters]) w();
      }
      return { json: m };
    })
    .on('DELETE', '/webhooks/:app/:token/messages/:message', (req) => {
      const p = interactionFor(req.params[0]!, req.params[1]!);
      const m = resolveMessageId(p, req.params[2]!);
      state.messages.delete(m.id);
      return undefined;
    })
    .on('POST', '/webhooks/:app/:token', (req) => {
      const p = interactionFor(req.params[0]!, req.params[1]!);
      validateMessageBody(req.body);
      const m = createMessage(p.channelId, req.body, { webhook_id: state.applicationId, application_id: state.applicationId });
      p.followUpIds.push(m.id);
      return req.query.get('wait') === 'false' ? undefined : { json: m };
    });

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/^\/api/, '').replace(/^\/v\d+/, '') || '/';
      const match = router.match(req.method ?? 'GET', path);
      if (!match) throw new HttpError(404, 0, '404: Not Found');
      const body = await readBody(req);
      const r: Req = { method: req.method ?? 'GET', path, rawPath: url.pathname, query: url.searchParams, headers: req.headers, body, params: match.params };
      if (!path.startsWith('/oauth2/')) sent.push({ method: r.method, path, body, at: Date.now() });
      const fi = faults.findIndex((f) => f.count > 0 && (!f.method || f.method === r.method) && (!f.path || f.path.test(path)));
      if (fi >= 0) {
        const f = faults[fi]!;
        if (--f.count <= 0) faults.splice(fi, 1);
        if (f.delayMs) await new Promise((res2) => setTimeout(res2, f.delayMs));
        if (f.status === 429) {
          const retryAfter = f.retryAfterMs ?? 100;
          throw new HttpError(429, 0, 'You are being rate limited.', { retry_after: retryAfter / 1000, global: false }, {
            'retry-after': String(Math.ceil(retryAfter / 1000)),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(retryAfter / 1000),
            'x-ratelimit-bucket': 'double-fault',
            'x-ratelimit-scope': 'user',
          });
        }
        if (f.status) throw new HttpError(f.status, 0, `${f.status}: injected by the Discord double`);
      }
      send(res, await match.handler(r));
    } catch (err) {
      sendError(res, err);
    }
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  origin = opts.publicUrl?.replace(/\/+$/, '') ?? `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const guildOf = (id?: string) => state.guild(id);
  const channelIdOf = (channel: string, guildId?: string): string => {
    if (state.channel(channel)) return channel;
    const c = state.channelByName(channel, guildId);
    if (!c) throw new Error(`unknown channel ${channel}`);
    return c.id;
  };
  const waitUntil = <T>(get: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = get();
        if (v === undefined) return;
        messageWaiters.delete(check);
        clearTimeout(t);
        resolve(v);
      };
      const t = setTimeout(() => {
        messageWaiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      messageWaiters.add(check);
      check();
    });
  const messagesIn = (channelId: string) =>
    [...state.messages.values()].filter((m) => m.channel_id === channelId).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const dmChannelOf = (userId: string) => [...state.dmChannels.values()].find((c) => c.recipientId === userId);

  const double: DiscordDouble = {
    url: `${origin}/api`,
    authorizeUrl: `${origin}/oauth2/authorize`,
    origin,
    applicationId: state.applicationId,
    botToken: state.botToken,
    clientSecret: state.clientSecret,
    env: () => ({
      DISCORD_API_BASE_URL: `${origin}/api`,
      DISCORD_OAUTH_AUTHORIZE_URL: `${origin}/oauth2/authorize`,
      DISCORD_BOT_TOKEN: state.botToken,
      DISCORD_APPLICATION_ID: state.applicationId,
      DISCORD_CLIENT_SECRET: state.clientSecret,
    }),
    state,
    oauth,
    gateway,
    sent,
    members: {
      add: (seed, guildId) => {
        const m = state.addMember(guildOf(guildId).id, seed);
        gateway.dispatch('GUILD_MEMBER_ADD', { ...m, guild_id: guildOf(guildId).id });
        return m.user.id;
      },
      setRoles: (userId, roles, guildId) => {
        const g = guildOf(guildId);
        const m = g.members.get(userId);
        if (!m) throw new Error(`unknown member ${userId}`);
        m.roles = roles.map((r) => (g.roles.has(r) ? r : ([...g.roles.values()].find((x) => x.name === r)?.id ?? r)));
        gateway.dispatch('GUILD_MEMBER_UPDATE', { ...m, guild_id: g.id });
      },
      ids: (guildId) => [...guildOf(guildId).members.keys()].filter((id) => id !== state.botUser.id),
    },
    channelId: (name, guildId) => channelIdOf(name, guildId),
    messages: (channel) => messagesIn(channelIdOf(channel)).map(toView),
    dms: (userId) => {
      const ch = dmChannelOf(userId);
      return ch ? messagesIn(ch.id).map(toView) : [];
    },
    waitForMessage: (channel, pred = () => true, timeoutMs = 5000) => {
      const id = channelIdOf(channel);
      return waitUntil(() => messagesIn(id).map(toView).find(pred), timeoutMs, `a message in ${channel}`);
    },
    waitForDm: (userId, pred = () => true, timeoutMs = 5000) =>
      waitUntil(() => {
        const ch = dmChannelOf(userId);
        return ch ? messagesIn(ch.id).map(toView).find(pred) : undefined;
      }, timeoutMs, `a DM to ${userId}`),
    interact: (o) => {
      const guild = guildOf(o.guildId);
      const member = guild.members.get(o.as);
      if (!member) return Promise.reject(new Error(`unknown member ${o.as} in guild ${guild.id}`));
      let channelId: string;
      if (o.dm) {
        let dm = dmChannelOf(o.as);
        if (!dm) {
          dm = { id: snowflake(), name: '', type: 1, recipientId: o.as };
          state.dmChannels.set(dm.id, dm);
        }
        channelId = dm.id;
      } else {
        channelId = o.channel ? channelIdOf(o.channel, guild.id) : [...guild.channels.values()].find((c) => c.type === 0)!.id;
      }
      const channel = state.channel(channelId)!;
      const id = snowflake();
      const token = newToken();
      let type: number;
      let data: Record<string, unknown>;
      let message: DoubleMessage | undefined;
      if ('command' in o) {
        type = InteractionType.ApplicationCommand;
        data = buildCommandData(state, guild.id, o.command, { subcommand: o.subcommand, options: o.options });
      } else if ('button' in o) {
        type = InteractionType.MessageComponent;
        message = state.messages.get(o.message);
        if (!message) return Promise.reject(new Error(`unknown message ${o.message}`));
        data = { custom_id: o.button, component_type: 2 };
      } else {
        type = InteractionType.Autocomplete;
        data = buildCommandData(state, guild.id, o.autocomplete, { options: { [o.focused]: '', ...o.options }, focused: o.focused });
      }
      const permissions = String(state.permissionsOf(guild, member));
      const where = o.dm
        ? {
            channel_id: channelId,
            channel: { id: channelId, type: 1, recipients: [member.user] },
            user: member.user,
            authorizing_integration_owners: { '1': member.user.id },
            context: 1,
          }
        : {
            guild_id: guild.id,
            guild: { id: guild.id, locale: 'en-US', features: [] },
            channel_id: channelId,
            channel: { id: channelId, name: channel.name, type: channel.type, guild_id: guild.id, permissions },
            member: { ...member, permissions, flags: 0, deaf: false, mute: false, pending: false, avatar: null, premium_since: null, communication_disabled_until: null },
            authorizing_integration_owners: { '0': guild.id },
            context: 0,
          };
      const payload = {
        id,
        application_id: state.applicationId,
        type,
        data,
        token,
        version: 1,
        app_permissions: String(state.permissionsOf(guild, guild.members.get(state.botUser.id)!)),
        locale: o.locale ?? 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        attachment_size_limit: 10_485_760,
        ...where,
        ...(message ? { message } : {}),
      };
      return new Promise<InteractionResult>((resolve, reject) => {
        const now = Date.now();
        const p: PendingInteraction = {
          id,
          token,
          type,
          userId: o.as,
          guildId: guild.id,
          channelId,
          createdAt: now,
          sentAt: now,
          acknowledged: false,
          expired: false,
          originalMessageId: message?.id,
          originalEdits: 0,
          followUpIds: [],
          resolve,
          reject,
          editWaiters: [],
          timer: setTimeout(() => {
            p.expired = true;
            reject(new InteractionFailedError(id, 'timeout'));
          }, deadlineMs),
        };
        pending.set(id, p);
        byToken.set(token, p);
        // Tokens die after their TTL; forget them then so memory stays bounded in long runs.
        setTimeout(() => {
          pending.delete(id);
          byToken.delete(token);
        }, tokenTtlMs).unref();
        if (gateway.dispatch('INTERACTION_CREATE', payload) === 0 && !gateway.hasSession) {
          clearTimeout(p.timer);
          p.expired = true;
          reject(new InteractionFailedError(id, 'not_connected'));
        }
      });
    },
    failRest: (f) => {
      faults.push({ ...f, count: f.count ?? 1 });
    },
    waitForBot: (timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const until = Date.now() + timeoutMs;
        const tick = () => {
          if (gateway.connected) return resolve();
          if (Date.now() > until) return reject(new Error('no bot connected to the Discord double'));
          setTimeout(tick, 20);
        };
        tick();
      }),
    close: async () => {
      for (const p of pending.values()) clearTimeout(p.timer);
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return double;
}
