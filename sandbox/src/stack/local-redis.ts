import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { track } from './children';

/** A redis-server this stack started, persisting to `dir` (AOF + RDB), on 127.0.0.1. */
export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

async function waitForPing(port: number, proc: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode}`);
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // connect() rejects; the event would be reported as unhandled
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > until) throw new Error(`redis-server on port ${port} did not answer within ${deadlineMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      r.disconnect();
    }
  }
}

/**
 * Start `redis-server` with its data in `dir` (append-only file, fsync every second, plus RDB
 * snapshots), so points survive a restart of the stack. Uses `preferredPort` when free, else any
 * free port. Stops with SIGTERM, which makes redis save and exit.
 */
export async function startLocalRedis(opts: { dir: string; preferredPort?: number; bin?: string; startTimeoutMs?: number }): Promise<LocalRedis> {
  await mkdir(opts.dir, { recursive: true });
  const port = opts.preferredPort && (await portIsFree(opts.preferredPort)) ? opts.preferredPort : await anyFreePort();
  const bin = opts.bin ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '60 1',
    '--daemonize', 'no', '--loglevel', 'warning', '--protected-mode', 'yes',
  ];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  track(proc);
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-2000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    proc.once('error', (err) => reject(new Error(`cannot start ${bin}: ${err.message}. Install it (apt-get install redis-server) or set REDIS_URL.`))),
  );
  try {
    await Promise.race([waitForPing(port, proc, opts.startTimeoutMs ?? 10_000), spawnError]);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`, { cause: err });
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: opts.dir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
