import type { ChildProcess } from 'node:child_process';

/**
 * Processes of the stack run in their own process groups (spawned detached), so a Ctrl-C in the
 * terminal reaches only the orchestrator, which then stops them in order: product processes first,
 * Redis last. Should the orchestrator exit without stopping them, they are killed on its way out.
 */
const live = new Set<ChildProcess>();
let hooked = false;

export function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const p of live) if (p.exitCode === null && p.signalCode === null) killGroup(p);
    });
  }
}

/** SIGKILL a detached child and everything it started (tsx runs the program in a child of its own). */
export function killGroup(proc: ChildProcess): void {
  try {
    if (proc.pid) process.kill(-proc.pid, 'SIGKILL');
  } catch {
    proc.kill('SIGKILL');
  }
}
