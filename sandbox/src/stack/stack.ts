import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLogger, type Logger } from '@engagement-tracker/core';
import { Community } from './community';
import { isSandbox, type StackConfig } from './config';
import { ensureConsoleBuilt } from './console-build';
import { seedDemoRoleReward } from './demo-role-reward';
import { startSandboxDoubles, type SandboxDoubles } from './doubles';
import { portIsFree, startLocalRedis, type LocalRedis } from './local-redis';
import { ENTRIES, registerCommands, REPO_ROOT, runEntry, waitForHttp, type ProductOptions } from './product';
import { lineLevel, type Service } from './services';
import { supervise } from './supervisor';

export interface Stack {
  sandbox: boolean;
  consoleUrl: string;
  redisUrl: string;
  /** Data folder of the local redis-server, when the stack started one. */
  redisDir: string | null;
  logDir: string;
  services: Service[];
  community: Community | null;
  doubles: SandboxDoubles | null;
  /**
   * Resolves when a process of the stack keeps crashing and its supervisor gave up (the stack is then
   * broken). A single crash is restarted with a backoff and reported, not fatal.
   */
  failed: Promise<{ service: string; code: number | null }>;
  stop(): Promise<void>;
}

/** A session secret kept in the data folder, so console sessions survive a restart of the stack. */
/**
 * Start the whole product on one machine: Redis (local redis-server unless REDIS_URL), in sandbox
 * mode the Discord and X doubles and a simulated community, then the admin API with the console,
 * the bot and the batch schedule, each as its own process.
 */
export async function startStack(config: StackConfig, opts: { logger?: Logger; echo?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<Stack> {
  const log = opts.logger ?? createLogger('stack', config.LOG_LEVEL);
  const echo = opts.echo ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sandbox = isSandbox(config);
  const dataDir = resolve(REPO_ROOT, config.STACK_DATA_DIR);
  const logDir = join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, 'stack: cleanup step failed');
      }
    }
  };
  try {
    if (!(await portIsFree(config.ADMIN_API_PORT))) {
      throw new Error(`Port ${config.ADMIN_API_PORT} is already in use (another npm start?). Stop it, or set ADMIN_API_PORT to a free port.`);
    }
    let redis: LocalRedis | null = null;
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      redis = await startLocalRedis({ dir: join(dataDir, 'redis'), preferredPort: config.STACK_REDIS_PORT });
      cleanups.push(() => redis!.stop());
      redisUrl = redis.url;
    }
    const built = await ensureConsoleBuilt(REPO_ROOT);
    if (built === 'built') log.info('stack: built the console (admin-web/dist)');

    let doubles: SandboxDoubles | null = null;
    let community: Community | null = null;
    if (sandbox) {
      doubles = await startSandboxDoubles();
      cleanups.push(() => doubles!.close());
      const submitLimit = Number((opts.env ?? process.env).SUBMIT_RATE_LIMIT_PER_DAY ?? 10);
      community = new Community(doubles, {
        size: config.STACK_COMMUNITY_SIZE,
        tickMs: config.STACK_COMMUNITY_TICK_MS,
        logger: log,
        ...(Number.isInteger(submitLimit) && submitLimit > 0 ? { submitLimitPerDay: submitLimit } : {}),
      });
      community.seed();
      cleanups.push(() => community!.stop());
      const ruleId = await seedDemoRoleReward(redisUrl, config.REDIS_KEY_PREFIX, doubles.regularRoleId);
      if (ruleId) log.info({ ruleId }, 'stack: created the example role reward (Regular at a few points)');
    }

    const port = config.ADMIN_API_PORT;
    const consoleUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...(opts.env ?? process.env),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
      LOG_LEVEL: config.LOG_LEVEL,
      ADMIN_API_PORT: String(port),
      PUBLIC_BASE_URL: consoleUrl,
      ADMIN_WEB_DIST: join(REPO_ROOT, 'admin-web', 'dist'),
      BATCH_LAUNCHER: (opts.env ?? process.env).BATCH_LAUNCHER ?? 'local',
      ...(doubles ? doubles.env : {}),
    };
    if (sandbox) {
      env.BATCH_SCHEDULE = config.STACK_SANDBOX_BATCH_SCHEDULE;
    }
    // The bot and the scheduler each serve /healthz and /metrics; on one machine they take any free port.
    env.HEALTH_PORT = '0';
    const onLine = (service: string, line: string) => {
      const level = lineLevel(line);
      if (config.STACK_VERBOSE || (level !== undefined ? level >= 40 : line.trim().length > 0)) echo(`[${service}] ${line}`);
    };
    const product: ProductOptions = { env, logDir, onLine };
    const services: Service[] = [];
    let stopping = false;
    let reportFailure: (f: { service: string; code: number | null }) => void = () => undefined;
    const failed = new Promise<{ service: string; code: number | null }>((r) => (reportFailure = r));
    cleanups.push(() => Promise.all(services.map((svc) => svc.stop())));
    // A crashed process (a bug, an OOM, a `kill -9`) is restarted with a backoff and reported; only
    // one that keeps crashing stops the stack.
    const keep = async (name: string, entry: string, args: string[]) => {
      const svc = await supervise(name, () => runEntry(name, entry, args, product), {
        onRestart: (e) => {
          const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
          log.warn(e, `stack: ${name} ${how}; restarting it in ${Math.round(e.delayMs / 1000)} s (restart ${e.restart})`);
          echo(`[stack] ${name} ${how}; restarting it in ${Math.round(e.delayMs / 1000)} s (restart ${e.restart}; log: ${join(logDir, name)}.log)`);
        },
      });
      services.push(svc);
      void svc.gaveUp.then((f) => {
        if (!stopping) reportFailure(f);
      });
      return svc;
    };

    if (sandbox) await registerCommands(product);
    const api = await keep('admin-api', ENTRIES.adminApi, []);
    await waitForHttp(`http://127.0.0.1:${port}/auth/me`, 60_000, () => api.running());
    await keep('bot', ENTRIES.bot, []);
    const schedule = async () => {
      const svc = await keep('batch-schedule', ENTRIES.batchJob, ['schedule']);
      if (stopping) await svc.stop();
    };

    if (!community) await schedule();
    else {
      // The schedule starts only after the community's first round and a first run over it: a scheduled
      // run that fired while members were still linking would finish empty and show as the first run.
      void community
        .start()
        .then(async () => {
          if (stopping) return;
          // A first run right away, so the console shows points within a minute of starting.
          const first = await runEntry('batch-first-run', ENTRIES.batchJob, ['run'], { ...product, env: { ...env, BATCH_TRIGGER: 'cli' } });
          services.push(first);
          if (stopping) await first.stop();
          const { code } = await first.exited;
          if (code !== 0) log.warn({ code }, 'stack: the first batch run did not succeed; see .data/logs/batch-first-run.log');
        })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'stack: the simulated community stopped'))
        .then(() => (stopping ? undefined : schedule()))
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'stack: the batch schedule did not start'));
    }

    return {
      sandbox,
      consoleUrl,
      redisUrl,
      redisDir: redis?.dir ?? null,
      logDir,
      services,
      community,
      doubles,
      failed,
      async stop() {
        stopping = true;
        community?.stop();
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
