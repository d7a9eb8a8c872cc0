import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import { ENGAGEMENT_KINDS, TIER_NAMES, type TrackedTweet } from '@engagement-tracker/core';
import { buildCustomId, CUSTOM_ID_PREFIXES } from '../custom-id';
import type { ReplyPayload } from '../commands/types';
import type { LeaderboardPage } from '../usecases/leaderboard-page';
import type { MemberStats } from '../usecases/member-stats';

const BRAND = 0x1d9bf0;

/** Announcement of an accepted tweet, with buttons that open X's like, retweet and reply intents. */
export function tweetAnnouncement(t: TrackedTweet, windowHours: number): ReplyPayload {
  const embed = new EmbedBuilder()
    .setColor(BRAND)
    .setTitle(`New post to engage with${t.authorHandle ? ` from @${t.authorHandle}` : ''}`)
    .setURL(t.url)
    .setDescription(t.text ? t.text.slice(0, 1000) : null)
    .addFields(
      { name: 'Category', value: t.category, inline: true },
      { name: 'Submitted by', value: `<@${t.submitterId}>`, inline: true },
      { name: 'Tracking until', value: `<t:${Math.floor((t.createdAt + windowHours * 3_600_000) / 1000)}:R>`, inline: true },
    )
    .setFooter({ text: 'Like, retweet or reply on X to earn points.' })
    .setTimestamp(t.createdAt);
  const id = encodeURIComponent(t.tweetId);
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Like').setEmoji('❤️').setURL(`https://x.com/intent/like?tweet_id=${id}`),
    new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Retweet').setEmoji('🔁').setURL(`https://x.com/intent/retweet?tweet_id=${id}`),
    new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Reply').setEmoji('💬').setURL(`https://x.com/intent/tweet?in_reply_to=${id}`),
    new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Open on X').setURL(t.url),
  );
  return { embeds: [embed.toJSON()], components: [row.toJSON()] };
}

export function statsEmbed(s: MemberStats, self: boolean): ReplyPayload {
  const who = `<@${s.discordId}>`;
  if (!s.member) {
    return { content: self ? 'You have no points yet. Link your X account with /connect and engage with posts in the engagement channel.' : `${who} has no points yet.` };
  }
  const m = s.member;
  const rank = (e: typeof s.allTime) => (e ? `#${e.rank}` : 'unranked');
  const link = s.connection
    ? s.connection.status === 'linked'
      ? `Linked to [@${s.connection.handle}](https://x.com/${s.connection.handle})`
      : `@${s.connection.handle}: needs reconnecting (/connect)`
    : 'Not linked (use /connect)';
  const embed = new EmbedBuilder()
    .setColor(BRAND)
    .setTitle(`Stats for ${m.displayName}`)
    .addFields(
      { name: 'Total points', value: `${m.totalPoints} (${rank(s.allTime)})`, inline: true },
      { name: `This week (${s.week})`, value: `${s.weekly?.points ?? 0} (${rank(s.weekly)})`, inline: true },
      { name: 'Today', value: `${s.daily?.points ?? 0} (${rank(s.daily)})`, inline: true },
      { name: 'This month', value: `${s.monthly?.points ?? 0} (${rank(s.monthly)})`, inline: true },
      ...(s.season ? [{ name: `Season: ${s.season.name}`, value: `${s.season.entry?.points ?? 0} (${rank(s.season.entry)})`, inline: true }] : []),
      { name: 'Tier', value: `${m.tier} · ${TIER_NAMES[m.tier]}`, inline: true },
      { name: 'Engagements', value: ENGAGEMENT_KINDS.map((k) => `${k}: ${m.counts[k] ?? 0}`).join(' · ') },
      { name: 'X account', value: link },
    );
  if (s.rejectedReplies.length) {
    const n = (c: number) => `${c} ${c === 1 ? 'reply' : 'replies'}`;
    embed.addFields({ name: 'Replies not counted', value: s.rejectedReplies.map((r) => `${n(r.count)} not counted: ${r.detail}`).join('\n') });
  }
  if (s.banned && self) embed.addFields({ name: 'Status', value: 'Banned: you earn no points and are hidden from the leaderboards. Ask an admin if you think this is a mistake.' });
  return { embeds: [embed.toJSON()] };
}

const BOARD_TITLES = { daily: 'Daily leaderboard', weekly: 'Weekly leaderboard', monthly: 'Monthly leaderboard', alltime: 'All-time leaderboard' } as const;

export function leaderboardEmbed(p: LeaderboardPage): ReplyPayload {
  const title =
    p.board === 'season' && p.season
      ? `Season: ${p.season.name}${p.season.status === 'ended' ? ' (final)' : p.season.status === 'scheduled' ? ' (not started)' : ''}`
      : p.board === 'season' || p.board === 'alltime'
        ? BOARD_TITLES.alltime
        : `${BOARD_TITLES[p.board]} (${p.period}${p.periodEnded ? ', ended' : ''})`;
  const lines = p.entries.map((e) => `**${e.rank}.** <@${e.discordId}> — ${e.points} pts`);
  const you = p.viewer ? `Your rank: #${p.viewer.rank} with ${p.viewer.points} pts` : 'You are not ranked yet';
  const embed = new EmbedBuilder()
    .setColor(BRAND)
    .setTitle(title)
    .setDescription(lines.length ? lines.join('\n') : 'No points yet. Engage with posts to get on the board!')
    .setFooter({ text: `${you} · page ${p.page + 1}/${p.pages} · ${p.total} ranked` });
  const extra = p.season ? [p.season.id] : p.period ? [p.period] : [];
  const id = (page: number) => buildCustomId(CUSTOM_ID_PREFIXES.leaderboardPage, p.board, page, p.viewerId, ...extra);
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(id(p.page - 1)).setLabel('◀ Previous').setStyle(ButtonStyle.Secondary).setDisabled(p.page <= 0),
    new ButtonBuilder().setCustomId(id(p.page + 1)).setLabel('Next ▶').setStyle(ButtonStyle.Secondary).setDisabled(p.page + 1 >= p.pages),
  );
  return { embeds: [embed.toJSON()], components: [row.toJSON()] };
}
