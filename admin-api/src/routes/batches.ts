import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, type BatchRun, type Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { runId, validate } from '../http/input';
import { idsFilter, listQuery, sendPage } from '../http/simple-rest';
import { requirePermission } from '../middleware/authenticate';
import type { ManualRuns } from '../runs/manual-runs';

/** One schema per route: path id, query and body. */
const routes = {
  list: {
    query: listQuery(
      z.strictObject({
        id: idsFilter(runId),
        status: z.enum(['running', 'succeeded', 'partial', 'failed', 'skipped']).optional(),
        trigger: z.enum(['schedule', 'manual', 'cli']).optional(),
      }),
      ['id', 'startedAt'],
    ),
  },
  show: { params: z.strictObject({ id: runId }) },
  start: {},
};

export function presentRun(r: BatchRun, now = Date.now()) {
  return {
    ...r,
    endedAt: r.endedAt ?? null,
    durationMs: (r.endedAt ?? (r.status === 'running' ? now : r.heartbeatAt)) - r.startedAt,
    error: r.error ?? null,
    jobName: r.jobName ?? null,
  };
}

/** Batch run history (newest first) and manual starts. */
export function batchesRouter(stores: Stores, runs: ManualRuns): Router {
  const r = Router();

  r.get('/', requirePermission('read'), async (req, res) => {
    const { query: q } = validate(req, routes.list);
    const { id: ids, ...filter } = q.filter;
    if (ids) {
      const found = (await Promise.all(ids.map(async (id) => stores.batches.get(id)))).filter((r): r is BatchRun => r !== null);
      return void sendPage(res, 'batches', 0, found.map((x) => presentRun(x)), found.length);
    }
    const page = await stores.batches.list({ offset: q.offset, limit: q.limit, filter });
    sendPage(res, 'batches', q.offset, page.items.map((x) => presentRun(x)), page.total);
  });

  r.get('/:id', requirePermission('read'), async (req, res) => {
    const { id } = validate(req, routes.show).params;
    const run = await stores.batches.get(id);
    if (!run) throw new NotFoundError(`No batch run ${id}`);
    res.json(presentRun(run));
  });

  r.post('/', requirePermission('batches:run'), async (req, res) => {
    validate(req, routes.start);
    const run = await runs.start(actorOf(req.principal!));
    res.status(202).location(`/api/batches/${run.id}`).json(presentRun(run));
  });

  return r;
}
