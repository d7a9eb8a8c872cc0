import { randomBytes } from 'node:crypto';
import { utcDay, type BatchRun, type BatchStatus, type BatchTrigger } from '../../domain';
import { NotFoundError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, json, pageBounds, type Page, type PageResult, type StoreContext } from './context';

export interface LockHolder {
  runId: string;
  fence: number;
  ttlMs: number;
}

/** Run stats summed into the running totals, under these names (plus requests_* and stopped_*). */
const COUNTED_STATS: Record<string, string> = {
  rateLimited: 'x_rate_limited', refusedAvoided: 'x_held_back', retries: 'x_retries', billedPosts: 'billed_posts', billedUsers: 'billed_users',
  costUsd: 'x_cost_usd', pointsAwarded: 'points_awarded', awarded: 'awards', tokenRefreshes: 'token_refreshes',
};

/** Run id that sorts by time: run-20261124T030501Z-a1b2c3. */
export function newRunId(now: number): string {
  const ts = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${ts}-${randomBytes(3).toString('hex')}`;
}

/** Batch run records (engagement:batch:{id}, engagement:batches) and the batch lock with fencing. */
export class BatchStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Take the lock for `ttlMs`; returns a fencing token that increases with every acquisition, or
   * null while another run holds it. With `aliveMs`, a holder whose run record has not reported a
   * heartbeat for that long (killed, hung, cut off from Redis) is taken over at once instead of
   * waiting for the lock to expire: it is fenced out and its run marked failed (`tookOver` names it).
   */
  async acquireLock(runId: string, ttlMs: number, opts: { aliveMs?: number } = {}): Promise<{ fence: number; tookOver?: string } | null> {
    const res = (await this.ctx.run('acquireLock', [this.ctx.keys.batchLock(), this.ctx.keys.batchFence()], [runId, ttlMs])) as number;
    if (res !== ScriptErrorCode.LockHeld) return { fence: res };
    if (!opts.aliveMs) return null;
    const value = await this.ctx.redis.get(this.ctx.keys.batchLock());
    if (!value) return this.acquireLock(runId, ttlMs);
    const holder = value.slice(0, value.lastIndexOf('|'));
    const record = await this.ctx.redis.hmget(this.ctx.keys.batch(holder), 'heartbeatAt');
    const silentS = Math.round((this.ctx.now() - Number(record[0] ?? 0)) / 1000);
    const took = (await this.ctx.run('takeOverLock', [this.ctx.keys.batchLock(), this.ctx.keys.batchFence(), this.ctx.keys.batch(holder)], [
      value, runId, ttlMs, this.ctx.now(), opts.aliveMs,
      `No heartbeat for ${silentS} s while holding the batch lock (killed, hung or cut off from Redis); run ${runId} took the lock over.`,
    ])) as number | [number, number];
    if (!Array.isArray(took)) return null;
    const [fence, marked] = took;
    if (marked === 1) await this.countEnded(holder);
    return { fence, tookOver: holder };
  }

  async renewLock(runId: string, fence: number, ttlMs: number): Promise<boolean> {
    return (await this.ctx.run('renewLock', [this.ctx.keys.batchLock()], [runId, fence, ttlMs])) === 1;
  }

  async releaseLock(runId: string, fence: number): Promise<boolean> {
    return (await this.ctx.run('renewLock', [this.ctx.keys.batchLock()], [runId, fence, 0])) === 1;
  }

  async lockHolder(): Promise<LockHolder | null> {
    const [value, ttl] = await Promise.all([this.ctx.redis.get(this.ctx.keys.batchLock()), this.ctx.redis.pttl(this.ctx.keys.batchLock())]);
    if (!value) return null;
    const at = value.lastIndexOf('|');
    return { runId: value.slice(0, at), fence: Number(value.slice(at + 1)), ttlMs: ttl };
  }

  async create(input: { id?: string; trigger: BatchTrigger; dryRun?: boolean; jobName?: string; status?: BatchStatus }): Promise<BatchRun> {
    const now = this.ctx.now();
    const id = input.id ?? newRunId(now);
    const fields: Array<string | number> = ['id', id, 'status', input.status ?? 'running', 'trigger', input.trigger, 'startedAt', now, 'heartbeatAt', now,
      'progress', JSON.stringify({ done: 0, total: 0, phase: 'starting' }), 'stats', '{}', 'dryRun', input.dryRun ? 1 : 0];
    if (input.jobName) fields.push('jobName', input.jobName);
    await this.ctx.redis.multi().hset(this.ctx.keys.batch(id), ...fields).zadd(this.ctx.keys.batches(), now, id).exec();
    return (await this.get(id))!;
  }

  /** Report progress of a running run; this is also its liveness signal. */
  async heartbeat(id: string, progress: BatchRun['progress'], stats?: Record<string, number>): Promise<boolean> {
    const fields: Array<string | number> = ['heartbeatAt', this.ctx.now(), 'progress', JSON.stringify(progress)];
    if (stats) fields.push('stats', JSON.stringify(stats));
    return (await this.ctx.run('updateIfStatus', [this.ctx.keys.batch(id)], ['running', ...fields])) === 1;
  }

  async patch(id: string, fields: Partial<Pick<BatchRun, 'jobName' | 'error' | 'stats' | 'progress'>>): Promise<void> {
    const flat: Array<string | number> = [];
    for (const [k, v] of Object.entries(fields)) flat.push(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    if (!flat.length) return;
    const res = await this.ctx.run('updateIfStatus', [this.ctx.keys.batch(id)], ['', ...flat]);
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No batch run ${id}`);
  }

  /**
   * End a run. Only a running run can be finished (so a late writer can't overwrite a final status);
   * returns null when the run was already finished by someone else.
   */
  async finish(id: string, status: Exclude<BatchStatus, 'running'>, opts: { stats?: Record<string, number>; error?: string; from?: BatchStatus; jobDied?: string } = {}): Promise<BatchRun | null> {
    const fields: Array<string | number> = ['status', status, 'endedAt', this.ctx.now()];
    if (opts.stats) fields.push('stats', JSON.stringify(opts.stats));
    if (opts.error) fields.push('error', opts.error.slice(0, 2000));
    const res = await this.ctx.run('updateIfStatus', [this.ctx.keys.batch(id)], [opts.from ?? 'running', ...fields]);
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No batch run ${id}`);
    if (res !== 1) return null;
    const run = await this.get(id);
    if (run) await this.count(run, opts.jobDied);
    return run;
  }

  /** Running totals of finished runs (batchCounters), which the metrics export as counters. */
  async counters(): Promise<{ counters: Record<string, number>; costToday: number }> {
    const [h, today] = await Promise.all([this.ctx.redis.hgetall(this.ctx.keys.batchCounters()), this.ctx.redis.hget(this.ctx.keys.xCostDaily(), utcDay(this.ctx.now()))]);
    return { counters: Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)])), costToday: Number(today ?? 0) };
  }

  /** Count a run that a script ended (reaped, taken over) as finish() counts the runs it ends. */
  private async countEnded(id: string): Promise<void> {
    const run = await this.get(id);
    if (run && run.status !== 'running') await this.count(run);
  }

  private async count(run: BatchRun, jobDied?: string): Promise<void> {
    const { keys } = this.ctx;
    const m = this.ctx.redis.multi().hincrby(keys.batchCounters(), `runs|${run.trigger}|${run.status}`, 1);
    if (run.status === 'succeeded') m.hset(keys.batchCounters(), 'last_success_at', run.endedAt ?? this.ctx.now());
    if (jobDied) m.hincrby(keys.batchCounters(), `job_died|${jobDied}`, 1);
    for (const [k, v] of Object.entries(run.stats)) {
      if (!v || typeof v !== 'number') continue;
      const field = k.startsWith('requests_') ? `x_requests|${k.slice('requests_'.length)}` : k.startsWith('stopped_') ? `stops|${k.slice('stopped_'.length)}` : COUNTED_STATS[k];
      if (!field) continue;
      if (k === 'costUsd') m.hincrbyfloat(keys.batchCounters(), field, v).hincrbyfloat(keys.xCostDaily(), utcDay(run.endedAt ?? this.ctx.now()), v);
      else m.hincrby(keys.batchCounters(), field, Math.round(v));
    }
    await m.exec();
  }

  async get(id: string): Promise<BatchRun | null> {
    return toRun(await this.ctx.redis.hgetall(this.ctx.keys.batch(id)));
  }

  async list(page: Page & { filter?: { status?: BatchStatus; trigger?: BatchTrigger } } = {}): Promise<PageResult<BatchRun>> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.min(1000, Math.max(0, page.limit ?? 25));
    const f = page.filter ?? {};
    if (!f.status && !f.trigger) {
      const { start, stop } = pageBounds({ offset, limit });
      const [total, ids] = await Promise.all([this.ctx.redis.zcard(this.ctx.keys.batches()), this.ctx.redis.zrevrange(this.ctx.keys.batches(), start, stop)]);
      return { total, items: await this.getMany(ids) };
    }
    const all = (await this.getMany(await this.ctx.redis.zrevrange(this.ctx.keys.batches(), 0, -1))).filter(
      (r) => (!f.status || r.status === f.status) && (!f.trigger || r.trigger === f.trigger),
    );
    return { total: all.length, items: all.slice(offset, offset + limit) };
  }

  /** The newest run that did something: skipped runs (lock held elsewhere) are not "the last run". */
  async latest(): Promise<BatchRun | null> {
    const ids = await this.ctx.redis.zrevrange(this.ctx.keys.batches(), 0, 49);
    return (await this.getMany(ids)).find((r) => r.status !== 'skipped') ?? null;
  }

  async findByJobName(jobName: string): Promise<BatchRun | null> {
    const ids = await this.ctx.redis.zrevrange(this.ctx.keys.batches(), 0, 199);
    return (await this.getMany(ids)).find((r) => r.jobName === jobName) ?? null;
  }

  /**
   * Mark every running run whose heartbeat stopped as failed, with the reason; returns their ids.
   * A run that reported progress is dead after `aliveMs` of silence; a run that never did (a manual
   * run whose program has not begun yet) gets `startGraceMs`. A reaped run that still held the lock
   * loses it, so it cannot award anything should it come back.
   */
  async reapStale(aliveMs: number, opts: { startGraceMs?: number; except?: string } = {}): Promise<string[]> {
    const ids = await this.ctx.redis.zrevrange(this.ctx.keys.batches(), 0, 199);
    const reaped: string[] = [];
    for (const run of await this.getMany(ids)) {
      if (run.status !== 'running' || run.id === opts.except) continue;
      const done = await this.ctx.run('reapRun', [this.ctx.keys.batch(run.id), this.ctx.keys.batchLock()], [
        run.id, this.ctx.now(), aliveMs, Math.max(aliveMs, opts.startGraceMs ?? aliveMs),
        'No heartbeat for {s} s: the run stopped (killed, crashed or cut off from Redis) without finishing.',
      ]);
      if (done === 1) {
        reaped.push(run.id);
        await this.countEnded(run.id);
      }
    }
    return reaped;
  }

  private async getMany(ids: string[]): Promise<BatchRun[]> {
    if (!ids.length) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.batch(id));
    return ((await p.exec()) ?? []).map(([, h]) => toRun(h as Record<string, string>)).filter((r): r is BatchRun => r !== null);
  }
}

export function toRun(h: Record<string, string> | null | undefined): BatchRun | null {
  if (!h || !h.id) return null;
  const run: BatchRun = {
    id: h.id,
    status: h.status as BatchStatus,
    trigger: h.trigger as BatchTrigger,
    startedAt: int(h.startedAt),
    heartbeatAt: int(h.heartbeatAt),
    progress: json(h.progress, { done: 0, total: 0, phase: '' }),
    stats: json(h.stats, {}),
    dryRun: h.dryRun === '1',
  };
  if (h.endedAt) run.endedAt = int(h.endedAt);
  if (h.error) run.error = h.error;
  if (h.jobName) run.jobName = h.jobName;
  return run;
}
