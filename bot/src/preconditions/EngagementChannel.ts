import { deny, ok, type Precondition } from './types';

/** /submit belongs in the engagement channel, where accepted tweets are announced. */
export const EngagementChannel: Precondition = (i, ctx) => {
  const name = i.channel && 'name' in i.channel ? i.channel.name : undefined;
  if (name === ctx.config.engagementChannel) return ok;
  const target = i.guild?.channels.cache.find((c) => c.name === ctx.config.engagementChannel);
  return deny(`Please use this command in ${target ? `<#${target.id}>` : `#${ctx.config.engagementChannel}`}.`);
};
