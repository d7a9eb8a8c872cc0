import { ConflictError, newRunId, type BatchRun, type Logger, type Stores } from '@engagement-tracker/core';
import type { BatchLauncher } from './launcher';

/**
 * Starts manual batch runs: refuses while a run holds the batch lock (or another manual start is
 * still spinning up), records the run, launches it, and audits who asked.
 *
 * The run record is written before launching (so POST can answer with it) and the program gets its
 * id as BATCH_RUN_ID. A batch program that records its run under an id of its own instead (same
 * JOB_NAME) is adopted: the placeholder is dropped and its id aliased to the program's run.
 */
export class ManualRuns {
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: { stores: Stores; launcher: BatchLauncher; log: Logger; guardMs: number; adoptEveryMs?: number },
  ) {}

  private guardKey(): string {
    return this.o.stores.keys.manualStartLock();
  }

  private aliasKey(runId: string): string {
    return this.o.stores.keys.batchAlias(runId);
  }

  get launcherKind(): BatchLauncher['kind'] {
    return this.o.launcher.kind;
  }

  async start(actor: string): Promise<BatchRun> {
    const { stores, launcher } = this.o;
    const holder = await stores.batches.lockHolder();
    if (holder) throw new ConflictError(`Batch run ${holder.runId} is in progress. Start another when it has finished.`, 'batch_running');
    const id = newRunId(stores.ctx.now());
    const claimed = await stores.ctx.redis.set(this.guardKey(), id, 'PX', this.o.guardMs, 'NX');
    if (!claimed) {
      const other = await stores.ctx.redis.get(this.guardKey());
      throw new ConflictError(`A manual run${other ? ` (${other})` : ''} was just started and has not finished yet.`, 'batch_starting');
    }
    const jobName = launcher.jobNameFor(id);
    await stores.batches.create({ id, trigger: 'manual', jobName });
    try {
      await launcher.launch({ runId: id, jobName });
    } catch (err) {
      await stores.batches.finish(id, 'failed', { error: `Could not start the run: ${err instanceof Error ? err.message : String(err)}` });
      await this.release(id);
      throw err;
    }
    await stores.audit.record({ actor, action: 'batch.start', target: id, after: { jobName, launcher: launcher.kind } });
    this.o.log.info({ runId: id, jobName, actor, launcher: launcher.kind }, 'manual batch run started');
    this.watchPlaceholder(id);
    return (await stores.batches.get(id))!;
  }

  /** Let the next manual start through once this run has ended (only if it still holds the guard). */
  async release(runId: string): Promise<void> {
    const alias = await this.resolve(runId);
    await this.o.stores.ctx.run('deleteIfValue', [this.guardKey()], [runId, alias]);
  }

  /** The run an id stands for now: itself, or the program's own run that replaced a placeholder. */
  async resolve(runId: string): Promise<string> {
    return (await this.o.stores.ctx.redis.get(this.aliasKey(runId))) ?? runId;
  }

  /**
   * If the program recorded this manual run under another id (same job name), drop the placeholder,
   * alias its id, and return the program's run. Otherwise null (the program uses our id, or has not
   * written yet).
   */
  async adopt(runId: string): Promise<BatchRun | null> {
    const { stores } = this.o;
    const placeholder = await stores.batches.get(runId);
    if (!placeholder?.jobName) {
      const alias = await stores.ctx.redis.get(this.aliasKey(runId));
      return alias ? stores.batches.get(alias) : null;
    }
    if (placeholder.progress.phase !== 'starting' || placeholder.progress.done > 0) return null;
    const recent = await stores.batches.list({ offset: 0, limit: 50 });
    const real = recent.items.find((r) => r.jobName === placeholder.jobName && r.id !== runId);
    if (!real) return null;
    await stores.ctx.redis.multi().set(this.aliasKey(runId), real.id, 'PX', 30 * 86_400_000).del(stores.keys.batch(runId)).zrem(stores.keys.batches(), runId).exec();
    // The start guard now belongs to the program's run, so its end releases it.
    await stores.ctx.run('replaceIfValue', [this.guardKey()], [runId, real.id]);
    this.pending.delete(runId);
    this.o.log.info({ placeholder: runId, runId: real.id, jobName: real.jobName }, 'manual run recorded by the batch program under its own id; placeholder replaced');
    return real;
  }

  /** Check for adoption every few seconds while the run is young, so the history shows one row. */
  private watchPlaceholder(runId: string): void {
    this.pending.set(runId, Date.now() + this.o.guardMs);
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const [id, until] of this.pending) {
        if (Date.now() > until) this.pending.delete(id);
        else void this.adopt(id).catch((err: unknown) => this.o.log.warn({ err, runId: id }, 'adopting a manual run failed'));
      }
      if (!this.pending.size && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }, this.o.adoptEveryMs ?? 2000);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
