import { GuildMember, SlashCommandBuilder } from 'discord.js';
import { createDiscordDmNotifier } from '@engagement-tracker/core';
import { submitTweet } from '../../usecases/submit-tweet';
import { tweetAnnouncement } from '../../views/embeds';
import { createTweetLookup, memberAccessToken } from '../../x-lookup';
import { memberRoleIds } from '../../preconditions/AdminOnly';
import { UserError, type BotCommand } from '../types';

/** /submit <url> [category]: track a recent post and announce it in the engagement channel. */
export const submit: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('submit')
    .setDescription('Submit a post on X for the community to engage with')
    .addStringOption((o) => o.setName('url').setDescription('Link to the post (x.com or twitter.com)').setRequired(true).setMaxLength(500))
    .addStringOption((o) => o.setName('category').setDescription('What kind of post it is').setAutocomplete(true))
    .toJSON(),
  ephemeral: true,
  preconditions: ['GuildOnly', 'EngagementChannel', 'NotBanned', 'LinkedAccount'],
  autocomplete(i, ctx) {
    const typed = i.options.getFocused().toLowerCase();
    return ctx.config.categories.filter((c) => c.toLowerCase().includes(typed)).slice(0, 25).map((c) => ({ name: c, value: c }));
  },
  async execute(i, ctx) {
    const name = i.member instanceof GuildMember ? i.member.displayName : (i.user.globalName ?? i.user.username);
    const exempt = memberRoleIds(i).some((r) => ctx.config.coreRoleIds.includes(r));
    // A protected member's own post is visible to their token only (refreshed first when it expired;
    // a grant X refuses to refresh marks the member needs_reconnect and tells them, as the batch does).
    let reconnect = false;
    const notify = createDiscordDmNotifier({ apiBaseUrl: ctx.config.discord.apiBaseUrl, botToken: ctx.config.discord.token, logger: ctx.logger });
    const memberToken = async () => {
      const own = await memberAccessToken({ ...ctx, notify }, i.user.id);
      reconnect = own.token === null && own.reconnect === true;
      return own.token;
    };
    const lookup = createTweetLookup(ctx.x, { memberToken });
    const res = await submitTweet(
      { url: i.options.getString('url', true), category: i.options.getString('category'), submitterId: i.user.id, submitterName: name, rateLimitExempt: exempt },
      { stores: ctx.stores, lookup, categories: ctx.config.categories, limitPerDay: ctx.config.submitRateLimitPerDay, windowMs: ctx.config.trackingWindowMs, now: ctx.now },
    );
    if (!res.ok && res.code === 'not_found' && reconnect) {
      throw new UserError('X no longer accepts the authorization you gave this community, so a protected post cannot be looked up with it. Run /connect to link your X account again, then submit the post again.', 'needs_reconnect');
    }
    if (!res.ok) throw new UserError(res.message, res.code);
    const channel = i.channel;
    const windowHours = Math.round(ctx.config.trackingWindowMs / 3_600_000);
    return {
      content: `Submitted! Points for engaging with ${res.tweet.url} are counted for ${windowHours} hours after it was posted.`,
      after: async () => {
        if (channel?.isSendable()) await channel.send(tweetAnnouncement(res.tweet, windowHours) as Parameters<typeof channel.send>[0]);
      },
    };
  },
};
