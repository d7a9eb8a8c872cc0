import { Router } from 'express';
import { z } from 'zod';
import { ConflictError, NotFoundError, type Stores, type TrackedTweet, type TweetSort } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { snowflake, text, validate } from '../http/input';
import { idsFilter, listQuery, sendPage, timeFilter } from '../http/simple-rest';
import { refusal, requirePermission } from '../middleware/authenticate';

const STATUS = z.enum(['active', 'deleted', 'unavailable']);
const SORTABLE = ['id', 'submittedAt', 'createdAt', 'pointsAwarded', 'engagementCount', 'category', 'status'] as const;

/** One schema per route: path id, query and body. */
const byId = { params: z.strictObject({ id: snowflake }) };
const routes = {
  list: {
    query: listQuery(
      z.strictObject({
        id: idsFilter(snowflake),
        category: text({ max: 64, what: 'category' }).optional(),
        status: STATUS.optional(),
        submitterId: snowflake.optional(),
        since: timeFilter,
        until: timeFilter,
        q: text({ max: 100, what: 'search' }).optional(),
      }),
      SORTABLE,
    ),
  },
  show: byId,
  setStatus: { ...byId, body: z.strictObject({ status: STATUS }) },
  remove: { ...byId, query: z.strictObject({ revoke: z.enum(['true', 'false', '1', '0'], { message: 'revoke must be true or false' }).optional() }) },
};

export async function presentTweets(stores: Stores, tweets: TrackedTweet[]) {
  const submitters = [...new Set(tweets.map((t) => t.submitterId))];
  const members = await stores.members.getMany(submitters);
  const names = new Map(members.filter((m) => m !== null).map((m) => [m.discordId, m.displayName]));
  return tweets.map((t) => ({ id: t.tweetId, ...t, submitterName: names.get(t.submitterId) ?? null }));
}

/** Submitted tweets: list/filter/sort, show, change status, delete (optionally revoking points). */
export function tweetsRouter(stores: Stores): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const { id: ids, ...f } = q.filter;
    const sort = (!q.sort || q.sort === 'id' ? 'submittedAt' : q.sort) as TweetSort;
    const page = await stores.tweets.list({ offset: q.offset, limit: q.limit, sort, order: q.order, filter: { ...f, ...(ids ? { ids } : {}) } });
    sendPage(res, 'tweets', q.offset, await presentTweets(stores, page.items), page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const t = await stores.tweets.get(id);
    if (!t) throw new NotFoundError(`No tracked tweet ${id}`);
    res.json((await presentTweets(stores, [t]))[0]);
  });

  r.put('/:id', requirePermission('tweets:write'), async (req, res) => {
    const { params: { id }, body } = validate(req, routes.setStatus);
    const before = await stores.tweets.get(id);
    if (!before) throw new NotFoundError(`No tracked tweet ${id}`);
    // Nothing to change: nothing written, nothing audited.
    if (before.status === body.status) return void res.json((await presentTweets(stores, [before]))[0]);
    // Compare-and-set: a concurrent delete (or status change) is not silently undone, and the audit's before is true.
    if (!(await stores.tweets.setStatus(id, body.status, undefined, before.status))) {
      throw new ConflictError(`Tweet ${id} changed meanwhile (now ${(await stores.tweets.get(id))?.status ?? 'gone'}); reload and try again.`, 'tweet_changed');
    }
    await stores.audit.record({ actor: actorOf(req.principal!), action: 'tweet.status', target: `tweet:${id}`, before: { status: before.status }, after: { status: body.status } });
    res.json((await presentTweets(stores, [(await stores.tweets.get(id))!]))[0]);
  });

  r.delete('/:id', requirePermission('tweets:write'), async (req, res) => {
    const { params: { id }, query } = validate(req, routes.remove);
    const revoke = query.revoke === 'true' || query.revoke === '1';
    // Taking points back moves money: admins only (core may delete a post and leave its points).
    const refused = revoke ? refusal(req.principal!, 'points:write') : null;
    if (refused) return void res.status(403).json({ error: 'forbidden', message: refused });
    const result = await stores.tweets.remove(id, { revoke, actor: actorOf(req.principal!) });
    const t = await stores.tweets.get(id);
    res.json({ ...(t ? (await presentTweets(stores, [t]))[0] : { id }), ...result });
  });

  return r;
}
