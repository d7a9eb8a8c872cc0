import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Logger, Stores } from '@engagement-tracker/core';
import { runEnv, type BatchLauncher } from './launcher';

/** The repository root (the folder whose package.json has workspaces), from this file upwards. */
export function repoRoot(from = import.meta.dirname): string {
  let dir = from;
  while (dirname(dir) !== dir) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'batch-job'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Is any process of this process group still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Outside Kubernetes a manual run is the batch program as a child process, in a process group of its
 * own: the command (`tsx ...`) may be a wrapper that starts the process doing the work, so what is
 * followed is the group, not the wrapper's pid. The run is over when the whole group has exited
 * (killing the wrapper alone leaves the real run going, and its record is its own). Then a run the
 * program left "running" (crash, kill, exit before writing) is marked failed with how it ended.
 */
export class LocalLauncher implements BatchLauncher {
  readonly kind = 'local' as const;
  private readonly children = new Map<string, ChildProcess>();
  private readonly exits = new Set<Promise<void>>();

  constructor(
    private readonly opts: {
      command: string;
      cwd?: string;
      env?: Record<string, string>;
      stores: Stores;
      log: Logger;
      /** Called after the process group ended and the run record was settled. */
      onExit?: (runId: string) => Promise<void> | void;
      stdio?: 'inherit' | 'ignore';
      /** How often to look whether the group is gone once its first process exited. Default 500 ms. */
      pollMs?: number;
    },
  ) {}

  jobNameFor(runId: string): string {
    return `local-${runId}`;
  }

  /** The process group of a running run (its first process's pid), for operators and tests. */
  processGroup(runId: string): number | undefined {
    return this.children.get(runId)?.pid;
  }

  async launch(run: { runId: string; jobName: string }): Promise<void> {
    const [cmd, ...args] = this.opts.command.split(/\s+/).filter(Boolean);
    if (!cmd) throw new Error('BATCH_LOCAL_COMMAND is empty');
    const cwd = this.opts.cwd ?? repoRoot();
    const bin = join(cwd, 'node_modules', '.bin');
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...this.opts.env, ...runEnv(run), PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', this.opts.stdio ?? 'inherit', this.opts.stdio ?? 'inherit'],
      // A process group of its own (pgid = pid): followed and signalled as a whole.
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pgid = child.pid!;
    this.children.set(run.runId, child);
    this.opts.log.info({ runId: run.runId, pgid, command: cmd }, 'started local batch run');
    const done = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.groupGone(pgid)
          .then(() => {
            this.children.delete(run.runId);
            return this.settle(run.runId, code, signal);
          })
          .then(() => this.opts.onExit?.(run.runId))
          .catch((err: unknown) => this.opts.log.error({ err, runId: run.runId }, 'could not record the end of a local run'))
          .finally(() => {
            this.exits.delete(done);
            resolve();
          });
      });
    });
    this.exits.add(done);
  }

  /** Wait for every launched process group to end (tests). */
  async idle(): Promise<void> {
    while (this.exits.size) await Promise.all([...this.exits]);
  }

  async close(): Promise<void> {
    for (const c of this.children.values()) {
      try {
        process.kill(-c.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await this.idle();
  }

  private async groupGone(pgid: number): Promise<void> {
    while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 500));
  }

  private async settle(runId: string, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // The program records its own end; only a run it left "running" is ours to close.
    const run = await this.opts.stores.batches.get(runId);
    if (run && run.status !== 'running') return;
    const bySignal = signal ?? (code !== null && code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined);
    const how = bySignal ? `was killed by ${bySignal}${code ? ` (exit code ${code})` : ''}` : code === 0 ? 'exited without recording a result' : `exited with code ${code}`;
    const ended = await this.opts.stores.batches.finish(runId, 'failed', { error: `The batch process ${how} before finishing the run.` });
    if (ended) this.opts.log.warn({ runId, code, signal }, 'local batch run ended without finishing its record; marked failed');
  }
}
