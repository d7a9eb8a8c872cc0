import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects with its output when it fails (unless `allowFailure`). */
export function run(cmd: string, args: string[], opts: { input?: string; cwd?: string; allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (code === 0 || opts.allowFailure) resolve(result);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
    });
    child.stdin.end(opts.input ?? '');
  });
}

export const podman = (args: string[], opts: Parameters<typeof run>[2] = {}) => run('podman', args, opts);

export async function imageExists(ref: string): Promise<boolean> {
  return (await podman(['image', 'exists', ref], { allowFailure: true })).code === 0;
}

/** Size of a local image in bytes. */
export async function imageSize(ref: string): Promise<number> {
  return Number((await podman(['image', 'inspect', '--format', '{{.Size}}', ref])).stdout.trim());
}

export async function podmanAvailable(): Promise<boolean> {
  return (await run('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { allowFailure: true }).catch(() => ({ code: -1 }))).code === 0;
}
