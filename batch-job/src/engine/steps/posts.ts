import type { EngagementKind } from '@engagement-tracker/core';

/** A post as the member scans read it (timelines and recent search). */
export interface PostRow {
  id: string;
  author_id?: string;
  conversation_id?: string;
  referenced_tweets?: Array<{ type: 'retweeted' | 'quoted' | 'replied_to'; id: string }>;
  /** always returned by X; kept for the reply-quality rules */
  text?: string;
}

/** A member's reply to a tracked post, kept for the reply-quality rules (`id` orders replies in time). */
export interface ReplyText {
  tweetId: string;
  discordId: string;
  id: string;
  text: string;
}

/** The reply texts of a post for each post it replies to (its parent and conversation root). */
export function replyTexts(p: PostRow, refs: Array<{ tweetId: string; kind: EngagementKind }>, discordId: string): ReplyText[] {
  if (p.text === undefined) return [];
  return refs.filter((r) => r.kind === 'reply').map((r) => ({ tweetId: r.tweetId, discordId, id: p.id, text: p.text! }));
}

/**
 * What a member's post engages with: the referenced post, and the conversation root of a reply
 * (only of a reply: a repost or quote of a post inside a thread is no reply to its root).
 */
export function refsOf(p: PostRow): Array<{ tweetId: string; kind: EngagementKind }> {
  const out: Array<{ tweetId: string; kind: EngagementKind }> = [];
  for (const ref of p.referenced_tweets ?? []) {
    out.push({ tweetId: ref.id, kind: ref.type === 'retweeted' ? 'retweet' : ref.type === 'quoted' ? 'quote' : 'reply' });
  }
  const isReply = p.referenced_tweets?.some((r) => r.type === 'replied_to') ?? false;
  if (isReply && p.conversation_id && p.conversation_id !== p.id && !p.referenced_tweets?.some((r) => r.id === p.conversation_id)) {
    out.push({ tweetId: p.conversation_id, kind: 'reply' });
  }
  return out;
}
