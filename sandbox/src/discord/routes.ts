import { HttpError, Router, type Req } from './http';
import { CallbackType, EPHEMERAL, InteractionType, toView, type InteractionResult, type MessageView } from './interactions';
import type { RestContext } from './rest';
import { PERMISSIONS, snowflake, type RegisteredCommand } from './state';
import { validateMessageBody } from './validate';

/**
 * The Discord double's REST API as a route table (as the X double has one): users and OAuth,
 * application commands, channels and messages, guilds, and interactions with their webhooks.
 * Handlers answer from the double's state through the shared context; the server (double.ts) only
 * routes, records calls and injects faults.
 */
export function discordRoutes(c: RestContext): Router {
  const { state, oauth, pending, botAuth, bearerUser, createMessage, editMessage, interactionFor, originalOf, resolveMessageId } = c;
  const router = new Router();
  oauth.routes(router);
  router
    .on('GET', '/gateway', () => ({ json: { url: c.origin().replace(/^http/, 'ws') } }))
    .on('GET', '/gateway/bot', (req) => {
      botAuth(req);
      return {
        json: {
          url: c.origin().replace(/^http/, 'ws'),
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

  // Member roles, as Discord checks them: a per-guild rate-limit bucket first (refused calls count too), then the
  // member (10007) and the role (10011; @everyone is not a role one can give), then Manage Roles, a role managed
  // by an integration, and the hierarchy: the bot's highest role must be above the role (the owner bypasses it,
  // Administrator does not). Each refusal is 403 50013, as on Discord. Every answer carries X-RateLimit-* headers.
  const buckets = new Map<string, { used: number; resetAt: number }>();
  const takeRoleToken = (guildId: string): Record<string, string> => {
    const { limit, windowMs } = c.memberRoleLimit;
    const now = Date.now();
    let b = buckets.get(guildId);
    if (!b || now >= b.resetAt) buckets.set(guildId, (b = { used: 0, resetAt: now + windowMs }));
    const resetAfter = Math.max(0, b.resetAt - now) / 1000;
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-reset': String(b.resetAt / 1000),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': `member-roles-${guildId}`,
    };
    if (b.used >= limit) {
      c.rateLimited.push({ route: 'member-roles', at: now });
      throw new HttpError(429, 0, 'You are being rate limited.', { retry_after: resetAfter, global: false }, {
        ...headers,
        'x-ratelimit-remaining': '0',
        'retry-after': String(Math.ceil(resetAfter)),
        'x-ratelimit-scope': 'user',
      });
    }
    b.used++;
    return { ...headers, 'x-ratelimit-remaining': String(limit - b.used) };
  };
  const memberRole = (action: 'add' | 'remove') => (req: Req) => {
    botAuth(req);
    const [guildId, userId, roleId] = req.params as [string, string, string];
    const g = state.guilds.get(guildId);
    if (!g) throw new HttpError(404, 10004, 'Unknown Guild');
    const headers = takeRoleToken(guildId);
    const refuse = (status: number, code: number, message: string) => new HttpError(status, code, message, {}, headers);
    const reasonHeader = req.headers['x-audit-log-reason'];
    const reason = typeof reasonHeader === 'string' ? decodeURIComponent(reasonHeader) : null;
    if (reason !== null && reason.length > 512) throw refuse(400, 50035, 'Invalid Form Body (X-Audit-Log-Reason: at most 512 characters)');
    const m = g.members.get(userId);
    if (!m) throw refuse(404, 10007, 'Unknown Member');
    const role = g.roles.get(roleId);
    if (!role || roleId === g.id) throw refuse(404, 10011, 'Unknown Role');
    const bot = g.members.get(state.botUser.id)!;
    if ((state.permissionsOf(g, bot) & (PERMISSIONS.MANAGE_ROLES | PERMISSIONS.ADMINISTRATOR)) === 0n) throw refuse(403, 50013, 'Missing Permissions');
    if (role.managed) throw refuse(403, 50013, 'Missing Permissions');
    if (g.ownerId !== bot.user.id && state.topPosition(g, bot) <= role.position) throw refuse(403, 50013, 'Missing Permissions');
    const has = m.roles.includes(roleId);
    const changed = action === 'add' ? !has : has;
    if (changed) {
      m.roles = action === 'add' ? [...m.roles, roleId] : m.roles.filter((r) => r !== roleId);
      c.dispatch('GUILD_MEMBER_UPDATE', { ...m, guild_id: g.id });
    }
    c.roleChanges.push({ guildId, userId, roleId, action, changed, reason, at: Date.now() });
    return { headers };
  };
  router.on('PUT', '/guilds/:guild/members/:user/roles/:role', memberRole('add')).on('DELETE', '/guilds/:guild/members/:user/roles/:role', memberRole('remove'));

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

  return router;
}
