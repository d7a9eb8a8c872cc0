import { useGetList } from 'react-admin';
import type { DiscordRoleRecord } from '../types';

/** The guild's roles as the bot last published them, highest first (empty before it has). */
export function useGuildRoles(): { roles: DiscordRoleRecord[]; byId: Map<string, DiscordRoleRecord>; isPending: boolean } {
  const { data, isPending } = useGetList<DiscordRoleRecord>('role-rewards/discord-roles', { pagination: { page: 1, perPage: 250 }, sort: { field: 'position', order: 'DESC' } });
  const roles = data ?? [];
  return { roles, byId: new Map(roles.map((r) => [r.id, r])), isPending };
}

/** `@Champion` when the bot has told us the role's name, else the role id. */
export const roleName = (byId: Map<string, DiscordRoleRecord>, roleId: string) => {
  const r = byId.get(roleId);
  return r ? `@${r.name.replace(/^@/, '')}` : roleId;
};
