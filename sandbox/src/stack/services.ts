import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killGroup, track } from './children';

/** A product process (admin API, bot, batch schedule) run by the stack. */
export interface Service {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  /** Command and args, e.g. [tsx, 'admin-api/src/server.ts']. */
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Full JSON log lines go here. */
  logDir: string;
  /** Called with every log line; the stack echoes warnings and errors to the terminal. */
  onLine?: (service: string, line: string) => void;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** The pino level of a JSON log line (numeric or label), or undefined for plain text. */
export function lineLevel(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    if (typeof level === 'number') return level;
    if (typeof level === 'string') return LEVELS[level];
  } catch {
    return undefined;
  }
  return undefined;
}

/** Start a process; its stdout and stderr go line by line to `<logDir>/<name>.log` and onLine. */
export async function startService(spec: ServiceSpec): Promise<Service> {
  await mkdir(spec.logDir, { recursive: true });
  const log: WriteStream = createWriteStream(join(spec.logDir, `${spec.name}.log`), { flags: 'a' });
  const proc: ChildProcess = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track(proc);
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      spec.onLine?.(spec.name, line);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('error', (err) => {
      log.write(`${JSON.stringify({ level: 'error', service: 'stack', msg: `cannot start ${spec.name}: ${err.message}` })}\n`);
      resolve({ code: 127, signal: null });
    });
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => new Promise<void>((r) => log.end(() => r())));
  let done = false;
  void exited.then(() => (done = true));
  return {
    name: spec.name,
    pid: proc.pid,
    exited,
    running: () => !done,
    async stop(graceMs = 15_000) {
      if (done) return;
      // SIGTERM to the process only (tsx passes it on to the program once); SIGKILL to its group.
      proc.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(proc), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
