import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from './gateway';
import { HttpError, readBody, send, sendError, type Req } from './http';
import {
  buildCommandData,
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
import { createRestContext, type MemberRoleLimit, type RoleChange } from './rest';
import { discordRoutes } from './routes';
import { DoubleState, snowflake, type DoubleMessage, type DoubleRole, type GuildSeed, type MemberSeed, type RoleSeed } from './state';

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
  /** The member-role routes' bucket per guild (default 10 changes per 10 s; refused calls count too). */
  memberRoleRateLimit?: MemberRoleLimit;
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
  /** Member role changes the bot made, in order (refused ones are not recorded). */
  readonly roleChanges: RoleChange[];
  /** 429s the double's own buckets answered (the member-role routes), in order. */
  readonly rateLimited: Array<{ route: string; at: number }>;
  /** Guild roles, changed as an admin would in Server Settings (each change is sent on the gateway). */
  readonly roles: {
    /** Add a role at the top of the list (or at `position`, moving the others up). */
    add(seed: RoleSeed & { position?: number }, guildId?: string): string;
    update(roleId: string, patch: Partial<Pick<DoubleRole, 'name' | 'permissions' | 'position' | 'managed'>>, guildId?: string): void;
    remove(roleId: string, guildId?: string): void;
    get(roleId: string, guildId?: string): DoubleRole | undefined;
  };
  readonly members: {
    add(seed: MemberSeed, guildId?: string): string;
    /** The member leaves (or is kicked from) the guild. */
    remove(userId: string, guildId?: string): void;
    setRoles(userId: string, roles: string[], guildId?: string): void;
    /** A member's current role ids. */
    roles(userId: string, guildId?: string): string[];
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
  const faults: RestFault[] = [];
  let origin = '';
  const gateway = new Gateway(state, { heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250, url: () => origin.replace(/^http/, 'ws') });
  const rest = createRestContext(state, oauth, {
    tokenTtlMs,
    origin: () => origin,
    dispatch: (event, data) => void gateway.dispatch(event, data),
    memberRoleLimit: opts.memberRoleRateLimit ?? { limit: 10, windowMs: 10_000 },
  });
  const { pending, byToken, messageWaiters } = rest;
  const router = discordRoutes(rest);

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
    roleChanges: rest.roleChanges,
    rateLimited: rest.rateLimited,
    roles: {
      add: (seed, guildId) => {
        const g = guildOf(guildId);
        const position = seed.position ?? g.roles.size;
        for (const r of g.roles.values()) if (r.id !== g.id && r.position >= position) r.position++;
        const role = state.addRole(g, seed, position);
        gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: g.id, role: state.rolePayload(role) });
        return role.id;
      },
      update: (roleId, patch, guildId) => {
        const g = guildOf(guildId);
        const role = g.roles.get(roleId);
        if (!role) throw new Error(`unknown role ${roleId}`);
        Object.assign(role, patch);
        gateway.dispatch('GUILD_ROLE_UPDATE', { guild_id: g.id, role: state.rolePayload(role) });
      },
      remove: (roleId, guildId) => {
        const g = guildOf(guildId);
        if (!g.roles.delete(roleId)) throw new Error(`unknown role ${roleId}`);
        for (const m of g.members.values()) m.roles = m.roles.filter((r) => r !== roleId);
        gateway.dispatch('GUILD_ROLE_DELETE', { guild_id: g.id, role_id: roleId });
      },
      get: (roleId, guildId) => guildOf(guildId).roles.get(roleId),
    },
    members: {
      add: (seed, guildId) => {
        const m = state.addMember(guildOf(guildId).id, seed);
        gateway.dispatch('GUILD_MEMBER_ADD', { ...m, guild_id: guildOf(guildId).id });
        return m.user.id;
      },
      remove: (userId, guildId) => {
        const g = guildOf(guildId);
        const m = g.members.get(userId);
        if (!m) throw new Error(`unknown member ${userId}`);
        g.members.delete(userId);
        gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: g.id, user: m.user });
      },
      setRoles: (userId, roles, guildId) => {
        const g = guildOf(guildId);
        const m = g.members.get(userId);
        if (!m) throw new Error(`unknown member ${userId}`);
        m.roles = roles.map((r) => (g.roles.has(r) ? r : ([...g.roles.values()].find((x) => x.name === r)?.id ?? r)));
        gateway.dispatch('GUILD_MEMBER_UPDATE', { ...m, guild_id: g.id });
      },
      roles: (userId, guildId) => [...(guildOf(guildId).members.get(userId)?.roles ?? [])],
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
