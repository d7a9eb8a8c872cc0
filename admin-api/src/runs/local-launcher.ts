import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { BatchRun, Logger, Stores } from '@engagement-tracker/core';
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

/**
 * Outside Kubernetes a manual run is the batch program as a child process. When it exits, a run it
 * left "running" (crash, kill, exit before writing) is marked failed with the exit code or signal.
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
      /** Finds the program's own run when it recorded one under another id (see ManualRuns.adopt). */
      adopt?: (runId: string) => Promise<BatchRun | null>;
      /** Called after the process ended and the run record was settled. */
      onExit?: (runId: string) => Promise<void> | void;
      stdio?: 'inherit' | 'ignore';
    },
  ) {}

  jobNameFor(runId: string): string {
    return `local-${runId}`;
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
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.children.set(run.runId, child);
    this.opts.log.info({ runId: run.runId, pid: child.pid, command: cmd }, 'started local batch run');
    const done = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.children.delete(run.runId);
        this.settle(run.runId, code, signal)
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

  /** Wait for every launched process to end (tests). */
  async idle(): Promise<void> {
    while (this.exits.size) await Promise.all([...this.exits]);
  }

  async close(): Promise<void> {
    for (const c of this.children.values()) c.kill('SIGTERM');
    await this.idle();
  }

  private async settle(runId: string, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const bySignal = signal ?? (code !== null && code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined);
    const how = bySignal ? `was killed by ${bySignal}${code ? ` (exit code ${code})` : ''}` : code === 0 ? 'exited without recording a result' : `exited with code ${code}`;
    const target = (await this.opts.adopt?.(runId))?.id ?? runId;
    const ended = await this.opts.stores.batches.finish(target, 'failed', { error: `The batch process ${how} before finishing the run.` });
    if (ended) this.opts.log.warn({ runId: target, code, signal }, 'local batch run ended without finishing its record; marked failed');
  }
}
