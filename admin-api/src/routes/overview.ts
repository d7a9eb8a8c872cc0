import { Router } from 'express';
import type { Stores } from '@engagement-tracker/core';
import { validate } from '../http/input';
import { requirePermission } from '../middleware/authenticate';
import { countActive, type TweetProjection } from '../queries/tweet-list';
import { presentRun } from './batches';

/** The dashboard numbers in one call. */
export function overviewRouter(stores: Stores, projection: TweetProjection): Router {
  const r = Router();
  r.get('/', requirePermission('read'), async (req, res) => {
    validate(req, {});
    const [activeTweets, linkedMembers, top, lastRun, pointsPerDay] = await Promise.all([
      countActive(projection),
      stores.connections.count(),
      stores.leaderboard.top({ board: 'alltime', limit: 1 }),
      stores.batches.latest(),
      stores.ledger.pointsPerDay(30),
    ]);
    res.json({ activeTweets, linkedMembers, topScore: top.entries[0]?.points ?? 0, lastRun: lastRun ? presentRun(lastRun) : null, pointsPerDay });
  });
  return r;
}
