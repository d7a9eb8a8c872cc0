import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The repository root (sandbox/faults/harness -> ../../..). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export const ENTRY = {
  batch: join(REPO_ROOT, 'batch-job', 'src', 'main.ts'),
  api: join(REPO_ROOT, 'admin-api', 'src', 'server.ts'),
} as const;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it ended (epoch ms). */
  at: number;
}

/**
 * A product process run as `node --import tsx <entry>`: one process (no tsx wrapper), so a signal
 * reaches the program itself, exactly as a container's PID 1 would get it.
 */
export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  stdout = '';
  stderr = '';

  constructor(
    readonly name: string,
    entry: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running()) this.child.kill(sig);
  }

  /** Resolves once the process stopped itself (SIGSTOP at BATCH_PAUSE_AT); throws if it exited or took too long. */
  async paused(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running()) throw new Error(`${this.name} exited before pausing: ${this.tail()}`);
      const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8').catch(() => '');
      if (/^\d+ \(.*\) T /.test(stat)) return;
      if (Date.now() > until) throw new Error(`${this.name} did not reach its pause point in ${timeoutMs} ms: ${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Wait for the exit; a process still alive after `timeoutMs` hangs: it is killed and this throws. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
    const res = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (res === 'late') {
      this.signal('SIGKILL');
      throw new Error(`${this.name} hung: still running after ${timeoutMs} ms: ${this.tail()}`);
    }
    return res;
  }

  /** The batch program's one-line JSON result on stdout, if it printed one. */
  summary(): { runId: string; status: string; exitCode: number; error?: string; stats: Record<string, number> } | null {
    const line = this.stdout.split('\n').filter((l) => l.startsWith('{') && l.includes('"exitCode"')).at(-1);
    return line ? (JSON.parse(line) as ReturnType<Proc['summary']> & object) : null;
  }

  tail(n = 1500): string {
    return `${this.stdout.slice(-n)}\n${this.stderr.slice(-n)}`.trim();
  }
}

/** Wait until GET url answers `status` (default 200); throws after timeoutMs or when `alive` turns false. */
export async function waitForStatus(url: string, timeoutMs: number, alive: () => boolean = () => true, status = 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the process behind ${url} exited`);
    const got = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => (void r.body?.cancel(), r.status), () => 0);
    if (got === status) return;
    if (Date.now() > until) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${got})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
