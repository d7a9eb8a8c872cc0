import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The real bot (`bot/src/index.ts`) as a child process, its JSON log lines kept for assertions. */
export interface BotProcess {
  proc: ChildProcess;
  logs: Array<Record<string, unknown>>;
  healthUrl: string;
  /** Send a signal and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  dumpLogs(): string;
}

export async function runScript(script: string, env: Record<string, string>, timeoutMs = 30_000, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

export function startBotProcess(env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}): Promise<BotProcess> {
  return startServiceProcess('bot/src/index.ts', env, `http://127.0.0.1:${env.HEALTH_PORT}`, opts);
}

/** A long-running service of the repository (`script`) as a child process, ready once `${baseUrl}/readyz` answers 200. */
export async function startServiceProcess(script: string, env: Record<string, string>, baseUrl: string, opts: { readyTimeoutMs?: number } = {}): Promise<BotProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let raw = '';
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      raw += `${line}\n`;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (raw += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const healthUrl = baseUrl;
  const until = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${script} exited with ${proc.exitCode}:\n${raw}`);
    const ok = await fetch(`${healthUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`${script} not ready in time:\n${raw}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    logs,
    healthUrl,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    dumpLogs: () => raw,
  };
}
