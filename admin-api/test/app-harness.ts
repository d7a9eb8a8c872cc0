import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import type { RedisClient, Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { createApp } from '../src/app';
import type { AppDeps } from '../src/deps';
import { ApiTokenStore } from '../src/auth/api-token-store';
import type { DiscordOAuth } from '../src/auth/discord-oauth';
import { SessionStore } from '../src/auth/session-store';
import { loadAdminApiConfig, type AdminApiConfig } from '../src/config';
import type { BatchLauncher } from '../src/runs/launcher';
import { ManualRuns } from '../src/runs/manual-runs';
import { silentLog, testStores } from './helpers';

/** A launcher that only records what it was asked to start. */
export class RecordingLauncher implements BatchLauncher {
  readonly kind = 'local' as const;
  launched: Array<{ runId: string; jobName: string }> = [];
  jobNameFor(runId: string) {
    return `rec-${runId}`;
  }
  async launch(run: { runId: string; jobName: string }) {
    this.launched.push(run);
  }
  async close() {}
}

export interface TestApp {
  url: string;
  stores: Stores;
  config: AdminApiConfig;
  tokens: ApiTokenStore;
  launcher: RecordingLauncher;
  /** Sign in through the sandbox shortcut; returns headers for later calls (cookies + CSRF). */
  login(role: 'admin' | 'core'): Promise<Client>;
  close(): Promise<void>;
}

export interface Client {
  cookie: string;
  csrf: string;
  fetch(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; csrf?: boolean }): Promise<Response>;
}

export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = decodeURIComponent(pair!.slice(i + 1));
  }
  return out;
}

export function client(url: string, cookie: string, csrf: string): Client {
  return {
    cookie,
    csrf,
    fetch(path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (cookie) headers.cookie = cookie;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      if ((init.csrf ?? true) && csrf && init.method && init.method !== 'GET') headers['x-csrf-token'] = csrf;
      return fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), redirect: 'manual' });
    },
  };
}

export async function startTestApp(
  redis: { client(): RedisClient },
  env: Record<string, string> = {},
  extra: { discord?: DiscordOAuth; mounts?: (stores: Stores, config: AdminApiConfig) => NonNullable<AppDeps['mounts']>; registry?: Registry } = {},
): Promise<TestApp> {
  const config = loadAdminApiConfig({ SANDBOX: 'true', LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '100000', ADMIN_WEB_DIST: '/nonexistent', ...env });
  const stores = testStores(redis.client());
  const r = stores.ctx.redis;
  const sessions = new SessionStore(r, stores.keys, config.SESSION_IDLE_MINUTES * 60_000, config.SESSION_MAX_HOURS * 3_600_000);
  const tokens = new ApiTokenStore(r, stores.keys);
  const launcher = new RecordingLauncher();
  const runs = new ManualRuns({ stores, launcher, log: silentLog, guardMs: 60_000 });
  const app = createApp({ config, stores, sessions, tokens, runs, log: silentLog, ...(extra.discord ? { discord: extra.discord } : {}), ...(extra.mounts ? { mounts: extra.mounts(stores, config) } : {}), ...(extra.registry ? { registry: extra.registry } : {}) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stores,
    config,
    tokens,
    launcher,
    async login(role) {
      const res = await fetch(`${url}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) });
      if (res.status !== 200) throw new Error(`sandbox login failed: ${res.status}`);
      const c = cookiesOf(res);
      return client(url, `et_session=${c.et_session}; et_csrf=${c.et_csrf}`, c.et_csrf!);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A test file's app on its own Redis, with an admin and a core member signed in (started in beforeAll,
 * stopped in afterAll). Read the fields inside tests.
 */
export function appWithAdminAndCore(): { app: TestApp; admin: Client; core: Client } {
  const ctx = {} as { app: TestApp; admin: Client; core: Client; redis: TestRedisServer };
  beforeAll(async () => {
    ctx.redis = await startRedisServer({ aof: false });
    ctx.app = await startTestApp(ctx.redis);
    ctx.admin = await ctx.app.login('admin');
    ctx.core = await ctx.app.login('core');
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.redis?.stop();
  });
  return ctx;
}
