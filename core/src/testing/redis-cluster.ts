import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort, waitForPing } from './redis-server';

const run = promisify(execFile);

/** A real Redis Cluster of masters (no replicas) started for a test run, each on free ports in a temp dir. */
export interface TestRedisCluster {
  readonly ports: number[];
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,... (the product's cluster URL form) */
  readonly url: string;
  readonly dir: string;
  /** A new ioredis Cluster client; closed by stop(). */
  client(): Cluster;
  /** Kill -9 (or SIGTERM) every node and start them again from their data dirs (AOF replay). */
  restart(opts?: { hard?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

async function clusterOk(port: number, masters: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    const info = await r.cluster('INFO');
    return /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info) && new RegExp(`cluster_known_nodes:${masters}\\b`).test(info);
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function waitForClusterOk(ports: number[], deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const states = await Promise.all(ports.map((p) => clusterOk(p, ports.length)));
    if (states.every(Boolean)) return;
    if (Date.now() > until) throw new Error(`Redis Cluster on ports ${ports.join(', ')} did not reach cluster_state:ok`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Start `masters` redis-server processes with `cluster-enabled yes` (AOF on), join them with
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, and wait until every node
 * reports cluster_state:ok with all 16384 slots served.
 */
export async function startRedisCluster(opts: { masters?: number } = {}): Promise<TestRedisCluster> {
  const masters = opts.masters ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'et-redis-cluster-'));
  const serverBin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cliBin = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  const nodes: Array<{ port: number; busPort: number; dir: string; proc?: ChildProcess }> = [];
  for (let i = 0; i < masters; i++) {
    const node = { port: await freePort(), busPort: await freePort(), dir: join(dir, `node${i}`) };
    await mkdir(node.dir);
    nodes.push(node);
  }
  const launch = async (node: (typeof nodes)[number]) => {
    const args = [
      '--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1', '--dir', node.dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
      '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning',
    ];
    const proc = spawn(serverBin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.on('error', (err) => {
      throw new Error(`cannot start ${serverBin}: ${err.message} (install redis-server)`);
    });
    node.proc = proc;
    await waitForPing(node.port);
  };
  const kill = (node: (typeof nodes)[number], signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const p = node.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  const ports = nodes.map((n) => n.port);
  try {
    await Promise.all(nodes.map(launch));
    await run(cliBin, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
    await waitForClusterOk(ports);
  } catch (err) {
    await Promise.all(nodes.map((n) => kill(n, 'SIGKILL')));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const clients: Cluster[] = [];
  return {
    ports,
    dir,
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    client() {
      const c = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), { clusterRetryStrategy: (times) => Math.min(50 * times, 1000) });
      c.on('error', () => {}); // reconnects after restart(); errors surface on commands
      clients.push(c);
      return c;
    },
    async restart({ hard = true } = {}) {
      await Promise.all(nodes.map((n) => kill(n, hard ? 'SIGKILL' : 'SIGTERM')));
      await Promise.all(nodes.map(launch));
      await waitForClusterOk(ports);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all(nodes.map((n) => kill(n, 'SIGTERM')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
