import { deny, ok, type Precondition } from './types';

/** The member must have linked an X account (/connect) first. */
export const LinkedAccount: Precondition = async (i, ctx) => {
  const link = await ctx.stores.connections.get(i.user.id);
  if (!link) return deny('Link your X account first with /connect.');
  return ok;
};
