import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, Client, Events, GatewayIntentBits, MessageFlags, REST, Routes, SlashCommandBuilder, type Interaction } from 'discord.js';
import { InteractionFailedError, PERMISSIONS, startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';

let double: DiscordDouble;
let client: Client;
/** Failures of the test bot's handlers (an answer after the deadline gets 10062 Unknown interaction). */
const handlerErrors: unknown[] = [];
let alice: string;
let bob: string;
const guildId = '100000000000000001';
const adminRole = '200000000000000001';

beforeAll(async () => {
  double = await startDiscordDouble({
    interactionDeadlineMs: 600,
    guilds: [
      {
        id: guildId,
        name: 'Test Guild',
        roles: [{ id: adminRole, name: 'Admins', permissions: PERMISSIONS.ADMINISTRATOR }],
        channels: [{ name: 'general' }, { name: 'engagement-tracker' }],
        members: [
          { id: '300000000000000001', username: 'alice', roles: ['Admins'] },
          { id: '300000000000000002', username: 'bob' },
        ],
      },
    ],
  });
  [alice, bob] = ['300000000000000001', '300000000000000002'];
  const rest = new REST({ api: double.url }).setToken(double.botToken);
  await rest.put(Routes.applicationGuildCommands(double.applicationId, guildId), {
    body: [
      new SlashCommandBuilder().setName('ping').setDescription('pong').toJSON(),
      new SlashCommandBuilder().setName('slow').setDescription('deferred').toJSON(),
      new SlashCommandBuilder().setName('silent').setDescription('never answers').toJSON(),
      new SlashCommandBuilder()
        .setName('pick')
        .setDescription('autocomplete')
        .addStringOption((o) => o.setName('fruit').setDescription('f').setAutocomplete(true))
        .addUserOption((o) => o.setName('who').setDescription('w'))
        .toJSON(),
    ],
  });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: double.url } });
  // A handler's failure is kept, not thrown: a replayed interaction can arrive after its 3 s deadline on a
  // loaded machine, and the double then answers 10062 Unknown interaction, as Discord does.
  client.on(Events.InteractionCreate, (i) => void onInteraction(i).catch((err: unknown) => handlerErrors.push(err)));
  const onInteraction = async (i: Interaction) => {
    if (i.isChatInputCommand() && i.commandName === 'ping') {
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary));
      await i.reply({ content: `pong ${i.user.username} admin=${i.memberPermissions?.has('Administrator')}`, components: [row] });
    } else if (i.isChatInputCommand() && i.commandName === 'slow') {
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await new Promise((r) => setTimeout(r, 50));
      await i.editReply('done slowly');
      await i.followUp({ content: 'and a follow-up', flags: MessageFlags.Ephemeral });
    } else if (i.isChatInputCommand() && i.commandName === 'pick') {
      await i.reply(`picked ${i.options.getString('fruit')} for ${i.options.getUser('who')?.username}`);
    } else if (i.isAutocomplete()) {
      const typed = i.options.getFocused();
      await i.respond(['apple', 'banana', 'cherry'].filter((f) => f.startsWith(typed)).map((f) => ({ name: f, value: f })));
    } else if (i.isButton()) {
      await i.update({ content: `again by ${i.user.username}`, components: [] });
    }
  };
  await client.login(double.botToken);
  await new Promise<void>((resolve) => (client.isReady() ? resolve() : client.once(Events.ClientReady, () => resolve())));
});

afterAll(async () => {
  await client?.destroy();
  await double?.close();
});

describe('Discord double with the real discord.js client', () => {
  it('completes the gateway handshake and caches guild, channels, roles', () => {
    const guild = client.guilds.cache.get(guildId)!;
    expect(guild.name).toBe('Test Guild');
    expect(guild.channels.cache.find((c) => c.name === 'engagement-tracker')).toBeTruthy();
    expect(guild.roles.cache.get(adminRole)?.name).toBe('Admins');
    expect(double.state.findCommand('ping', guildId)?.id).toMatch(/^\d+$/);
  });

  it('delivers slash commands, records the reply, and routes buttons to the message', async () => {
    const r = await double.interact({ as: alice, command: 'ping' });
    expect(r.type).toBe(4);
    const msg = await r.reply();
    expect(msg.content).toBe('pong alice admin=true');
    expect(msg.components).toHaveLength(1);
    const b = await double.interact({ as: bob, command: 'ping' });
    expect((await b.reply()).content).toBe('pong bob admin=false');
    const press = await double.interact({ as: bob, button: 'again', message: msg.id });
    expect(press.type).toBe(7);
    expect((await press.reply()).content).toBe('again by bob');
    expect(double.messages('general').find((m) => m.id === msg.id)?.components).toEqual([]);
  });

  it('supports defer + edit + follow-up, ephemeral flags', async () => {
    const r = await double.interact({ as: alice, command: 'slow' });
    expect(r.type).toBe(5);
    expect(r.ephemeral).toBe(true);
    const msg = await r.reply();
    expect(msg.content).toBe('done slowly');
    expect(msg.ephemeral).toBe(true);
    await expect.poll(() => r.followUps().map((m) => m.content)).toEqual(['and a follow-up']);
  });

  it('sends autocomplete and typed options with resolved users', async () => {
    const ac = await double.interact({ as: alice, autocomplete: 'pick', focused: 'fruit', options: { fruit: 'b' } });
    expect(ac.choices).toEqual([{ name: 'banana', value: 'banana' }]);
    const r = await double.interact({ as: alice, command: 'pick', options: { fruit: 'cherry', who: bob } });
    expect((await r.reply()).content).toBe('picked cherry for bob');
  });

  it('fails an interaction nobody answers within the deadline, and refuses a late callback', async () => {
    const err = await double.interact({ as: alice, command: 'silent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionFailedError);
    const id = (err as InteractionFailedError).interactionId;
    const res = await fetch(`${double.url}/v10/interactions/${id}/whatever/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'late' } }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(10062);
  });

  it('records channel messages and refuses invalid components', async () => {
    const channel = double.channelId('engagement-tracker');
    const ch = await client.channels.fetch(channel);
    if (!ch?.isSendable()) throw new Error('not sendable');
    await ch.send({ content: 'hello channel' });
    expect(double.messages('engagement-tracker').at(-1)?.content).toBe('hello channel');
    expect(double.sent.some((c) => c.method === 'POST' && c.path === `/channels/${channel}/messages`)).toBe(true);
    const bad = { type: 2, style: 1, label: 'bad', custom_id: 'x'.repeat(101) };
    await expect(ch.send({ content: 'bad', components: [{ type: 1, components: [bad] }] })).rejects.toThrow(/Invalid Form Body/);
  });

  it('sends DMs through a created DM channel', async () => {
    const user = await client.users.fetch(bob);
    await user.send('psst');
    expect(double.dms(bob).map((m) => m.content)).toEqual(['psst']);
  });

  it('resumes after the connection drops and replays the missed interaction', async () => {
    const resumes = double.gateway.stats.resumes;
    double.gateway.dropConnections();
    const r = await double.interact({ as: alice, command: 'ping' }).catch(async (e: unknown) => {
      // Resuming can take longer than a short deadline on a loaded machine: then the next one must work.
      expect(e).toBeInstanceOf(InteractionFailedError);
      await double.waitForBot();
      return double.interact({ as: alice, command: 'ping' });
    });
    expect((await r.reply()).content).toMatch(/^pong alice/);
    expect(double.gateway.stats.resumes).toBeGreaterThan(resumes);
  });

  it('asks the client to reconnect (op 7) and the client resumes its session', async () => {
    const resumes = double.gateway.stats.resumes;
    double.gateway.requestReconnect();
    await expect.poll(() => double.gateway.stats.resumes, { timeout: 5000 }).toBeGreaterThan(resumes);
    await double.waitForBot();
    expect((await (await double.interact({ as: bob, command: 'ping' })).reply()).content).toMatch(/^pong bob/);
  });

  it('injects REST faults: a 429 with Retry-After is retried by @discordjs/rest', async () => {
    const channel = double.channelId('general');
    double.failRest({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 429, retryAfterMs: 200 });
    const ch = await client.channels.fetch(channel);
    if (!ch?.isSendable()) throw new Error('not sendable');
    const started = Date.now();
    await ch.send('after a rate limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(double.messages('general').at(-1)?.content).toBe('after a rate limit');
    expect(double.sent.filter((c) => c.method === 'POST' && c.path === `/channels/${channel}/messages` && c.body.content === 'after a rate limit')).toHaveLength(2);
  });

  it('delivers interactions from DMs with a user and no guild', async () => {
    const r = await double.interact({ as: bob, command: 'ping', dm: true });
    const msg = await r.reply();
    expect(msg.content).toBe('pong bob admin=undefined');
    expect(double.dms(bob).some((m) => m.id === msg.id)).toBe(true);
  });

  it('runs the Discord OAuth2 code flow and serves member roles to the bot token', async () => {
    const redirect = 'http://127.0.0.1:1/auth/callback';
    const q = new URLSearchParams({ client_id: double.applicationId, redirect_uri: redirect, response_type: 'code', scope: 'identify', state: 's1', login_as: alice });
    const auth = await fetch(`${double.authorizeUrl}?${q}`, { redirect: 'manual' });
    expect(auth.status).toBe(302);
    const loc = new URL(auth.headers.get('location')!);
    expect(loc.searchParams.get('state')).toBe('s1');
    const code = loc.searchParams.get('code')!;
    const form = (extra: Record<string, string>) =>
      fetch(`${double.url}/v10/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: double.applicationId, ...extra }),
      });
    expect((await form({ client_secret: 'wrong' })).status).toBe(401);
    const tok = await form({ client_secret: double.clientSecret });
    expect(tok.status).toBe(200);
    const { access_token } = (await tok.json()) as { access_token: string };
    expect((await form({ client_secret: double.clientSecret })).status).toBe(400); // code is single-use
    const me = (await (await fetch(`${double.url}/v10/users/@me`, { headers: { authorization: `Bearer ${access_token}` } })).json()) as { id: string };
    expect(me.id).toBe(alice);
    const member = await fetch(`${double.url}/v10/guilds/${guildId}/members/${alice}`, { headers: { authorization: `Bot ${double.botToken}` } });
    expect(((await member.json()) as { roles: string[] }).roles).toEqual([adminRole]);
    const noAuth = await fetch(`${double.url}/v10/guilds/${guildId}/members/${alice}`);
    expect(noAuth.status).toBe(401);
  });
});
