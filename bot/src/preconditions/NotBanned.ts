import { deny, ok, type Precondition } from './types';

/** Banned members cannot submit posts (they keep their history; an admin can lift the ban). */
export const NotBanned: Precondition = async (i, ctx) => {
  const ban = await ctx.stores.bans.get(i.user.id);
  if (ban) return deny(`You are banned from the engagement program (reason: ${ban.reason}), so you cannot submit posts or earn points. Ask an admin if you think this is a mistake.`);
  return ok;
};
