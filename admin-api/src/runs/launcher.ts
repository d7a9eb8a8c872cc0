/** Starts the batch program for a manual run. */
export interface BatchLauncher {
  readonly kind: 'kubernetes' | 'local';
  /** The Job (or process) name a run will carry; recorded on the run before launching. */
  jobNameFor(runId: string): string;
  launch(run: { runId: string; jobName: string }): Promise<void>;
  /** Stop following what was launched (local: terminate children). */
  close(): Promise<void>;
}

/** Env the batch program reads to know how it was started (see batch-job/src/main.ts). */
export function runEnv(run: { runId: string; jobName: string }): Record<string, string> {
  return { BATCH_TRIGGER: 'manual', JOB_NAME: run.jobName, BATCH_RUN_ID: run.runId };
}
