import { SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
/** Seedable state of the Discord double: one application, its bot, guilds with roles, channels, members. */

export interface DoubleUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface DoubleRole {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string. */
  permissions: string;
  position: number;
  /** Managed by an integration (a bot's own role, a booster or linked role): nobody can give or take it. */
  managed?: boolean;
}

export interface DoubleChannel {
  id: string;
  name: string;
  /** 0 = guild text, 1 = DM. */
  type: number;
  guild_id?: string;
  recipientId?: string;
}

export interface DoubleMember {
  user: DoubleUser;
  roles: string[];
  nick: string | null;
  joined_at: string;
}

export interface DoubleGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, DoubleRole>;
  channels: Map<string, DoubleChannel>;
  members: Map<string, DoubleMember>;
}

export interface DoubleMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: DoubleUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: unknown[];
  mentions: unknown[];
  mention_roles: string[];
  mention_everyone: boolean;
  pinned: boolean;
  tts: boolean;
  type: number;
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: unknown;
}

export interface RegisteredCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  name: string;
  description: string;
  type: number;
  options?: CommandOption[];
  default_member_permissions?: string | null;
  version: string;
  [k: string]: unknown;
}

export interface CommandOption {
  type: number;
  name: string;
  description?: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  options?: CommandOption[];
  min_value?: number;
  max_value?: number;
}

/** Seed for a guild. Ids are generated when missing; the @everyone role (id = guild id) is added. */
export interface GuildSeed {
  id?: string;
  name?: string;
  roles?: RoleSeed[];
  channels?: Array<{ id?: string; name: string; type?: number }>;
  members?: MemberSeed[];
  /** Role ids or names the bot's own member has (its highest one decides which roles it may manage). */
  botRoles?: string[];
}

export interface RoleSeed {
  id?: string;
  name: string;
  permissions?: string | bigint;
  managed?: boolean;
}

export interface MemberSeed {
  id?: string;
  username: string;
  globalName?: string;
  /** Role ids or role names of the guild. */
  roles?: string[];
  nick?: string;
}

export const PERMISSIONS = {
  ADMINISTRATOR: 1n << 3n,
  MANAGE_GUILD: 1n << 5n,
  MANAGE_ROLES: 1n << 28n,
  SEND_MESSAGES: 1n << 11n,
  VIEW_CHANNEL: 1n << 10n,
  EMBED_LINKS: 1n << 14n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
} as const;

export const DEFAULT_EVERYONE_PERMISSIONS =
  PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.SEND_MESSAGES | PERMISSIONS.EMBED_LINKS | PERMISSIONS.USE_APPLICATION_COMMANDS;

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A fresh snowflake that sorts by creation time, like Discord's. */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment);
}

export function makeUser(id: string, username: string, globalName?: string, bot = false): DoubleUser {
  return { id, username, global_name: globalName ?? username, discriminator: '0', avatar: null, ...(bot ? { bot: true } : {}) };
}

export class DoubleState {
  readonly applicationId: string;
  readonly botUser: DoubleUser;
  botToken: string;
  clientSecret: string;
  readonly guilds = new Map<string, DoubleGuild>();
  readonly dmChannels = new Map<string, DoubleChannel>();
  readonly messages = new Map<string, DoubleMessage>();
  /** Global commands by name, and guild commands by guild id then name. */
  readonly globalCommands = new Map<string, RegisteredCommand>();
  readonly guildCommands = new Map<string, Map<string, RegisteredCommand>>();

  constructor(opts: { applicationId?: string; botToken?: string; clientSecret?: string; botUsername?: string }) {
    this.applicationId = opts.applicationId ?? snowflake();
    this.botToken = opts.botToken ?? SANDBOX_CREDENTIALS.DISCORD_BOT_TOKEN;
    this.clientSecret = opts.clientSecret ?? SANDBOX_CREDENTIALS.DISCORD_CLIENT_SECRET;
    this.botUser = makeUser(this.applicationId, opts.botUsername ?? 'Engagement Tracker', undefined, true);
  }

  addGuild(seed: GuildSeed): DoubleGuild {
    const id = seed.id ?? snowflake();
    const guild: DoubleGuild = { id, name: seed.name ?? 'Sandbox Guild', ownerId: '', roles: new Map(), channels: new Map(), members: new Map() };
    guild.roles.set(id, { id, name: '@everyone', permissions: String(DEFAULT_EVERYONE_PERMISSIONS), position: 0 });
    (seed.roles ?? []).forEach((r, i) => this.addRole(guild, r, i + 1));
    for (const c of seed.channels ?? [{ name: 'general' }]) this.addChannel(guild, c);
    this.guilds.set(id, guild);
    const botRoles = (seed.botRoles ?? []).map((r) => (guild.roles.has(r) ? r : [...guild.roles.values()].find((x) => x.name === r)?.id ?? r));
    guild.members.set(this.botUser.id, { user: this.botUser, roles: botRoles, nick: null, joined_at: new Date().toISOString() });
    for (const m of seed.members ?? []) this.addMember(guild.id, m);
    guild.ownerId = [...guild.members.keys()].find((k) => k !== this.botUser.id) ?? this.botUser.id;
    return guild;
  }

  addRole(guild: DoubleGuild, r: RoleSeed, position = guild.roles.size): DoubleRole {
    const role: DoubleRole = { id: r.id ?? snowflake(), name: r.name, permissions: String(r.permissions ?? 0n), position, ...(r.managed ? { managed: true } : {}) };
    guild.roles.set(role.id, role);
    return role;
  }

  addChannel(guild: DoubleGuild, c: { id?: string; name: string; type?: number }): DoubleChannel {
    const ch: DoubleChannel = { id: c.id ?? snowflake(), name: c.name, type: c.type ?? 0, guild_id: guild.id };
    guild.channels.set(ch.id, ch);
    return ch;
  }

  addMember(guildId: string, m: MemberSeed): DoubleMember {
    const guild = this.guild(guildId);
    const roleIds = (m.roles ?? []).map((r) => {
      if (guild.roles.has(r)) return r;
      const byName = [...guild.roles.values()].find((x) => x.name === r);
      if (!byName) throw new Error(`unknown role ${r} in guild ${guild.id}`);
      return byName.id;
    });
    const member: DoubleMember = {
      user: makeUser(m.id ?? snowflake(), m.username, m.globalName),
      roles: roleIds,
      nick: m.nick ?? null,
      joined_at: new Date().toISOString(),
    };
    guild.members.set(member.user.id, member);
    return member;
  }

  guild(id?: string): DoubleGuild {
    const g = id ? this.guilds.get(id) : this.guilds.values().next().value;
    if (!g) throw new Error(`unknown guild ${id ?? '(none seeded)'}`);
    return g;
  }

  findMember(userId: string, guildId?: string): { guild: DoubleGuild; member: DoubleMember } | null {
    const guilds = guildId ? [this.guild(guildId)] : [...this.guilds.values()];
    for (const guild of guilds) {
      const member = guild.members.get(userId);
      if (member) return { guild, member };
    }
    return null;
  }

  findUser(userId: string): DoubleUser | null {
    if (userId === this.botUser.id) return this.botUser;
    return this.findMember(userId)?.member.user ?? null;
  }

  channel(id: string): DoubleChannel | undefined {
    for (const g of this.guilds.values()) {
      const c = g.channels.get(id);
      if (c) return c;
    }
    return this.dmChannels.get(id);
  }

  channelByName(name: string, guildId?: string): DoubleChannel | undefined {
    return [...this.guild(guildId).channels.values()].find((c) => c.name === name);
  }

  /** Position of a member's highest role (0: only @everyone). */
  topPosition(guild: DoubleGuild, member: DoubleMember): number {
    return Math.max(0, ...member.roles.map((r) => guild.roles.get(r)?.position ?? 0));
  }

  /** Effective permissions of a member: @everyone plus each role; ADMINISTRATOR (or owner) means all. */
  permissionsOf(guild: DoubleGuild, member: DoubleMember): bigint {
    let p = BigInt(guild.roles.get(guild.id)?.permissions ?? '0');
    for (const r of member.roles) p |= BigInt(guild.roles.get(r)?.permissions ?? '0');
    if (guild.ownerId === member.user.id || (p & PERMISSIONS.ADMINISTRATOR) !== 0n) return (1n << 53n) - 1n;
    return p;
  }

  commandsFor(guildId?: string): Map<string, RegisteredCommand> {
    if (!guildId) return this.globalCommands;
    let m = this.guildCommands.get(guildId);
    if (!m) this.guildCommands.set(guildId, (m = new Map()));
    return m;
  }

  /** A registered command by name: the guild's first, then the global one. */
  findCommand(name: string, guildId?: string): RegisteredCommand | undefined {
    return (guildId ? this.guildCommands.get(guildId)?.get(name) : undefined) ?? this.globalCommands.get(name);
  }

  /** A role as Discord sends it (a managed role carries tags naming its integration). */
  rolePayload(r: DoubleRole): Record<string, unknown> {
    return { ...r, color: 0, hoist: false, managed: r.managed ?? false, mentionable: false, flags: 0, ...(r.managed ? { tags: { integration_id: r.id } } : {}) };
  }

  guildPayload(guild: DoubleGuild, maxMembers = 100): Record<string, unknown> {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: guild.ownerId,
      unavailable: false,
      member_count: guild.members.size,
      large: guild.members.size > 250,
      features: [],
      preferred_locale: 'en-US',
      joined_at: new Date().toISOString(),
      roles: [...guild.roles.values()].map((r) => this.rolePayload(r)),
      channels: [...guild.channels.values()].map((c) => ({ id: c.id, name: c.name, type: c.type, guild_id: guild.id, position: 0, permission_overwrites: [] })),
      members: [...guild.members.values()].slice(0, maxMembers),
      emojis: [],
      stickers: [],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
