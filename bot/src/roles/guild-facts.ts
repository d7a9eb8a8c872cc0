import { PermissionFlagsBits, type Guild } from 'discord.js';
import type { GuildFacts, RoleFacts } from './role-check';

/**
 * Read the guild's roles and the bot's own member fresh from Discord (two REST calls): without the
 * privileged members intent the gateway does not tell the bot when an admin changes its roles.
 */
export async function readGuildFacts(guild: Guild): Promise<GuildFacts> {
  const [roles, me] = await Promise.all([guild.roles.fetch(undefined, { force: true }), guild.members.fetchMe({ force: true })]);
  const facts = new Map<string, RoleFacts>();
  for (const r of roles.values()) facts.set(r.id, { id: r.id, name: r.name, position: r.position, managed: r.managed });
  const highest = me.roles.highest;
  return {
    guildId: guild.id,
    botIsOwner: guild.ownerId === me.id,
    botCanManageRoles: me.permissions.has(PermissionFlagsBits.ManageRoles),
    botHighest: { id: highest.id, name: highest.name, position: highest.position, managed: highest.managed },
    roles: facts,
  };
}
