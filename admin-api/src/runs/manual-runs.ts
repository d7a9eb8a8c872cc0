import { ConflictError, newRunId, type BatchRun, type Logger, type Stores } from '@engagement-tracker/core';
import type { BatchLauncher } from './launcher';

/**
 * Starts manual batch runs: refuses while a run holds the batch lock (or another manual start is
 * still spinning up), records the run, launches it, and audits who asked.
 *
 * The run record is written before launching (so POST can answer with it) and the program gets its
 * id as BATCH_RUN_ID: the batch program records the run under that id, so the record follows what
 * the run itself writes.
 */
export class ManualRuns {
  constructor(private readonly o: { stores: Stores; launcher: BatchLauncher; log: Logger; guardMs: number }) {}

  private guardKey(): string {
    return `${this.o.stores.keys.prefix}:lock:batch:manual-start`;
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
    return (await stores.batches.get(id))!;
  }

  /** Let the next manual start through once this run has ended (only if it still holds the guard). */
  async release(runId: string): Promise<void> {
    await this.o.stores.ctx.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, this.guardKey(), runId);
  }

  close(): void {}
}
