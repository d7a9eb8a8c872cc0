import type { XState, XTweet, XUser } from './state';

/** The `*.fields` and `expansions` query parameters of a v2 request. */
export interface Fields {
  tweet: Set<string>;
  user: Set<string>;
  expansions: Set<string>;
}

const set = (v: string | null) => new Set((v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

export function fieldsOf(q: URLSearchParams): Fields {
  return { tweet: set(q.get('tweet.fields')), user: set(q.get('user.fields')), expansions: set(q.get('expansions')) };
}

export function renderTweet(s: XState, t: XTweet, f: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: [t.id] };
  if (f.tweet.has('created_at')) out.created_at = new Date(t.createdAt).toISOString();
  if (f.tweet.has('author_id') || f.expansions.has('author_id')) out.author_id = t.authorId;
  if (f.tweet.has('conversation_id')) out.conversation_id = t.conversationId;
  if (f.tweet.has('public_metrics')) out.public_metrics = s.tweetMetrics(t);
  if (f.tweet.has('referenced_tweets') && t.referenced) out.referenced_tweets = [{ type: t.referenced.type, id: t.referenced.id }];
  if (f.tweet.has('in_reply_to_user_id') && t.inReplyToUserId) out.in_reply_to_user_id = t.inReplyToUserId;
  return out;
}

export function renderUser(s: XState, u: XUser, f: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = { id: u.id, name: u.name, username: u.username };
  if (f.user.has('created_at')) out.created_at = new Date(u.createdAt).toISOString();
  if (f.user.has('protected')) out.protected = u.protected;
  if (f.user.has('public_metrics')) out.public_metrics = s.userMetrics(u);
  return out;
}

/** `includes` for a list of tweets: authors and referenced posts when expanded. */
export function includesFor(s: XState, tweets: XTweet[], f: Fields, viewer: string | null): Record<string, unknown[]> | undefined {
  const inc: Record<string, unknown[]> = {};
  if (f.expansions.has('author_id')) {
    const ids = [...new Set(tweets.map((t) => t.authorId))];
    inc.users = ids.map((id) => renderUser(s, s.userOrStub(id), f));
  }
  if (f.expansions.has('referenced_tweets.id')) {
    const refs = [...new Set(tweets.flatMap((t) => (t.referenced ? [t.referenced.id] : [])))]
      .map((id) => s.tweets.get(id))
      .filter((t): t is XTweet => !!t && visible(s, t, viewer));
    if (refs.length) inc.tweets = refs.map((t) => renderTweet(s, t, f));
  }
  return Object.keys(inc).length ? inc : undefined;
}

/** A post is visible unless deleted, its author is suspended, or protected and the viewer is not them. */
export function visible(s: XState, t: XTweet, viewer: string | null): boolean {
  if (t.deleted) return false;
  const a = s.users.get(t.authorId);
  if (!a) return true;
  if (a.suspended) return false;
  return !a.protected || viewer === a.id;
}

export function tweetError(s: XState, id: string, viewer: string | null, parameter = 'ids'): Record<string, unknown> {
  const t = s.tweets.get(id);
  const a = t ? s.users.get(t.authorId) : undefined;
  if (t && !t.deleted && a?.suspended) {
    return { value: id, detail: `User has been suspended: [${a.username}].`, title: 'Forbidden', resource_type: 'user', parameter, resource_id: a.id, type: 'https://api.twitter.com/2/problems/resource-not-found' };
  }
  if (t && !t.deleted && a?.protected && viewer !== a.id) {
    return { value: id, detail: `Sorry, you are not authorized to see the Tweet with id: [${id}].`, title: 'Authorization Error', resource_type: 'tweet', parameter, resource_id: id, type: 'https://api.twitter.com/2/problems/not-authorized-for-resource' };
  }
  return { value: id, detail: `Could not find tweet with ${parameter}: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter, resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' };
}

export function userError(id: string, suspended: boolean, parameter = 'ids'): Record<string, unknown> {
  return suspended
    ? { value: id, detail: `User has been suspended: [${id}].`, title: 'Forbidden', resource_type: 'user', parameter, resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }
    : { value: id, detail: `Could not find user with ${parameter}: [${id}].`, title: 'Not Found Error', resource_type: 'user', parameter, resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' };
}
