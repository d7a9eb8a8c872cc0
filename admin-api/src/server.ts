import type { AddressInfo } from 'node:net';
import { boardRetentionOf, createLogger, createMetricsRegistry, createRedis, createStores, createXClientFactory, instrumentRedis, logProcessFailures, onShutdown, scheduleIntervalSeconds, startTelemetry, xApiConfigFromEnv } from '@engagement-tracker/core';
import { createApp } from './app';
import { ApiTokenStore } from './auth/api-token-store';
import { discordOAuthFromConfig } from './auth/discord-oauth';
import { createConnectXRouter, createDiscordDmNotifier } from './connect';
import { SessionStore } from './auth/session-store';
import { anomalyThresholds, loadAdminApiConfig } from './config';
import { registerBatchMetrics } from './metrics/batch-metrics';
import type { AppDeps } from './deps';
import { JobWatcher } from './runs/job-watcher';
import { isInCluster, KubernetesLauncher, loadKubeConfig, resolveNamespace } from './runs/kubernetes-launcher';
import type { BatchLauncher } from './runs/launcher';
import { LocalLauncher } from './runs/local-launcher';
import { ManualRuns } from './runs/manual-runs';

export async function main(): Promise<void> {
  const config = loadAdminApiConfig();
  const log = createLogger('admin-api', config.LOG_LEVEL);
  logProcessFailures(log);
  // Spans for http/express/ioredis; preload @engagement-tracker/core/telemetry/register for full coverage.
  const telemetry = await startTelemetry({ serviceName: 'admin-api' });
  const redis = createRedis(config.REDIS_URL);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const stores = createStores(redis, { prefix: config.REDIS_KEY_PREFIX, encryptionKey: config.encryptionKey, boardRetention: boardRetentionOf(config) });
  const sessions = new SessionStore(redis, stores.keys, config.SESSION_IDLE_MINUTES * 60_000, config.SESSION_MAX_HOURS * 3_600_000);
  const tokens = new ApiTokenStore(redis, stores.keys);

  const useKube = config.BATCH_LAUNCHER === 'kubernetes' || (config.BATCH_LAUNCHER === 'auto' && isInCluster());
  const ref: { runs?: ManualRuns } = {};
  let launcher: BatchLauncher;
  let watcher: JobWatcher | undefined;
  if (useKube) {
    const kc = loadKubeConfig();
    const namespace = resolveNamespace(kc, config.KUBE_NAMESPACE);
    launcher = new KubernetesLauncher(kc, namespace, config.BATCH_CRONJOB_NAME, log);
    if (config.BATCH_JOB_WATCHER) {
      watcher = new JobWatcher({ kc, namespace, cronJobName: config.BATCH_CRONJOB_NAME, stores, log, onRunEnded: (id) => ref.runs?.release(id) });
    }
  } else {
    launcher = new LocalLauncher({ command: config.BATCH_LOCAL_COMMAND, stores, log, onExit: (id) => ref.runs?.release(id) });
  }
  const runs = new ManualRuns({ stores, launcher, log, guardMs: config.BATCH_START_GUARD_SECONDS * 1000 });
  ref.runs = runs;

  const deps: AppDeps = { config, stores, sessions, tokens, discord: discordOAuthFromConfig(config), runs, log };
  // Public X account linking (/connect/x/start, /connect/x/callback): its routes carry their full paths.
  const connect = createConnectXRouter({
    stores,
    x: createXClientFactory(xApiConfigFromEnv()),
    publicBaseUrl: config.PUBLIC_BASE_URL,
    encryptionKey: config.encryptionKey,
    logger: log,
    ...(config.DISCORD_BOT_TOKEN ? { notify: createDiscordDmNotifier({ apiBaseUrl: config.DISCORD_API_BASE_URL, botToken: config.DISCORD_BOT_TOKEN, logger: log }) } : {}),
  });
  deps.mounts = [{ path: '/', router: connect }];
  const registry = config.METRICS_ENABLED ? createMetricsRegistry('admin-api') : undefined;
  if (registry) {
    registerBatchMetrics(registry, stores, {
      scheduleIntervalSeconds: scheduleIntervalSeconds(config.BATCH_SCHEDULE),
      maxWallSeconds: config.BATCH_MAX_WALL_SECONDS,
      dailyBudgetUsd: config.X_DAILY_BUDGET_USD,
      anomaly: anomalyThresholds(config),
    });
    instrumentRedis(registry, redis);
  }
  const app = createApp({ ...deps, ...(registry ? { registry } : {}) });

  const server = app.listen(config.ADMIN_API_PORT);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  log.info({ port: (server.address() as AddressInfo).port, sandbox: config.sandbox, sandboxLogin: config.sandboxLogin, discordSignIn: Boolean(deps.discord), launcher: launcher.kind }, 'admin API listening');

  // Stale runs (no heartbeat within the lease) are marked failed, whatever started them.
  const reaper = setInterval(() => {
    stores.batches.reapStale(config.BATCH_LEASE_SECONDS * 1000, { startGraceMs: config.BATCH_START_GRACE_SECONDS * 1000 }).then(
      (ids) => ids.length && log.warn({ runs: ids }, 'marked stale batch runs failed'),
      (err: unknown) => log.warn({ err }, 'stale run check failed'),
    );
  }, 10_000);
  reaper.unref();
  if (watcher) {
    watcher.start().catch((err: unknown) => log.error({ err }, 'batch Job watcher failed to start; manual runs still work'));
  }

  onShutdown(log, [
    () => clearInterval(reaper),
    () => new Promise<void>((resolve) => server.close(() => resolve())),
    () => watcher?.stop(),
    () => connect.close(),
    () => launcher.close(),
    () => runs.close(),
    () => redis.quit(),
    () => telemetry.shutdown(),
  ]);
}

if (import.meta.main || process.argv[1]?.endsWith('server.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
