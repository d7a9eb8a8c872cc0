import { Router } from 'express';
import type { Stores } from '@engagement-tracker/core';
import { validate } from '../http/input';
import { requirePermission } from '../middleware/authenticate';
import { presentRun } from './batches';

/** The dashboard numbers in one call, each read from Redis for this request (none older than the others). */
export function overviewRouter(stores: Stores): Router {
  const r = Router();
  r.get('/', requirePermission('read'), async (req, res) => {
    validate(req, {});
    const [activeTweets, linkedMembers, top, lastRun, pointsPerDay] = await Promise.all([
      stores.tweets.count('active'),
      stores.connections.count(),
      stores.leaderboard.top({ board: 'alltime', limit: 1 }),
      stores.batches.latest(),
      stores.ledger.pointsPerDay(30),
    ]);
    res.json({ activeTweets, linkedMembers, topScore: top.entries[0]?.points ?? 0, lastRun: lastRun ? presentRun(lastRun) : null, pointsPerDay });
  });
  return r;
}
