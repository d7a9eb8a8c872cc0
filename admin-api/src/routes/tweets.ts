import { Router } from 'express';
import { z } from 'zod';
import { ConflictError, NotFoundError, type Stores, type TrackedTweet, type TweetSort } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { idsFilter, parseListQuery, sendPage, snowflakeParam, timeFilter } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';

const filterSchema = z.strictObject({
  id: idsFilter,
  category: z.string().max(64).optional(),
  status: z.enum(['active', 'deleted', 'unavailable']).optional(),
  submitterId: z.string().max(32).optional(),
  since: timeFilter,
  until: timeFilter,
  q: z.string().max(100).optional(),
});

const SORTABLE = ['id', 'submittedAt', 'createdAt', 'pointsAwarded', 'engagementCount', 'category', 'status'] as const;

export async function presentTweets(stores: Stores, tweets: TrackedTweet[]) {
  const submitters = [...new Set(tweets.map((t) => t.submitterId))];
  const members = await stores.members.getMany(submitters);
  const names = new Map(members.filter((m) => m !== null).map((m) => [m.discordId, m.displayName]));
  return tweets.map((t) => ({ id: t.tweetId, ...t, submitterName: names.get(t.submitterId) ?? null }));
}

/** Submitted tweets: list/filter/sort, show, change status, delete (optionally revoking points). */
export function tweetsRouter(stores: Stores): Router {
  const r = Router();
  r.param('id', snowflakeParam('tweet'));

  r.get('/', requirePermission('read'), async (req, res) => {
    const q = parseListQuery(req.query, filterSchema, SORTABLE);
    const { id: ids, ...f } = q.filter;
    const sort = (!q.sort || q.sort === 'id' ? 'submittedAt' : q.sort) as TweetSort;
    const page = await stores.tweets.list({ offset: q.offset, limit: q.limit, sort, order: q.order, filter: { ...f, ...(ids ? { ids } : {}) } });
    sendPage(res, 'tweets', q.offset, await presentTweets(stores, page.items), page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const t = await stores.tweets.get(String(req.params.id));
    if (!t) throw new NotFoundError(`No tracked tweet ${req.params.id}`);
    res.json((await presentTweets(stores, [t]))[0]);
  });

  r.put('/:id', requirePermission('tweets:write'), async (req, res) => {
    const id = String(req.params.id);
    const body = z.object({ status: z.enum(['active', 'deleted', 'unavailable']) }).parse(req.body ?? {});
    const before = await stores.tweets.get(id);
    if (!before) throw new NotFoundError(`No tracked tweet ${id}`);
    // Compare-and-set: a concurrent delete (or status change) is not silently undone, and the audit's before is true.
    if (!(await stores.tweets.setStatus(id, body.status, undefined, before.status))) {
      throw new ConflictError(`Tweet ${id} changed meanwhile (now ${(await stores.tweets.get(id))?.status ?? 'gone'}); reload and try again.`, 'tweet_changed');
    }
    await stores.audit.record({ actor: actorOf(req.principal!), action: 'tweet.status', target: `tweet:${id}`, before: { status: before.status }, after: { status: body.status } });
    res.json((await presentTweets(stores, [(await stores.tweets.get(id))!]))[0]);
  });

  r.delete('/:id', requirePermission('tweets:write'), async (req, res) => {
    const id = String(req.params.id);
    const { revoke } = z.object({ revoke: z.enum(['true', 'false', '1', '0']).optional() }).parse(req.query);
    const result = await stores.tweets.remove(id, { revoke: revoke === 'true' || revoke === '1', actor: actorOf(req.principal!) });
    const t = await stores.tweets.get(id);
    res.json({ ...(t ? (await presentTweets(stores, [t]))[0] : { id }), ...result });
  });

  return r;
}
