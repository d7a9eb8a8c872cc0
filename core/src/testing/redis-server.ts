import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A real redis-server started for a test run, on a free port in a temp dir. */
export interface TestRedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** A new ioredis client; closed by stop(). */
  client(): Redis;
  /** Kill -9 the server and start it again on the same port and data dir (AOF replay). */
  restart(opts?: { hard?: boolean }): Promise<void>;
  /** Kill the server (SIGKILL unless hard is false) and leave it down until up(). */
  down(opts?: { hard?: boolean }): Promise<void>;
  /** Start a server that down() stopped, on the same port and data dir. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForPing(port: number, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > until) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((res) => setTimeout(res, 25));
    } finally {
      r.disconnect();
    }
  }
}

export async function startRedisServer(opts: { aof?: boolean; fsync?: 'always' | 'everysec' } = {}): Promise<TestRedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'et-redis-'));
  const port = await freePort();
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', opts.aof === false ? 'no' : 'yes', '--appendfsync', opts.fsync ?? 'always',
    '--daemonize', 'no', '--loglevel', 'warning',
  ];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.on('error', (err) => {
      throw new Error(`cannot start ${bin}: ${err.message} (install redis-server)`);
    });
    await waitForPing(port);
  };
  await launch();
  const clients: Redis[] = [];
  const kill = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    client() {
      const c = new Redis({ port, host: '127.0.0.1' });
      c.on('error', () => {}); // reconnects after restart(); errors surface on commands
      clients.push(c);
      return c;
    },
    async restart({ hard = true } = {}) {
      await kill(hard ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    async down({ hard = true } = {}) {
      await kill(hard ? 'SIGKILL' : 'SIGTERM');
    },
    async up() {
      if (proc.exitCode === null && proc.signalCode === null) return;
      await launch();
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
