import { createRedis } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app-harness';
import { waitFor } from './helpers';

let server: TestRedisServer;
let app: TestApp;

beforeAll(async () => {
  server = await startRedisServer();
  // The app's connection as server.ts makes it: bounded connect/command waits, endless reconnects.
  app = await startTestApp({ ...server, client: () => createRedis(server.url).on('error', () => undefined) });
});
afterAll(async () => {
  await app?.close();
  app?.stores.ctx.redis.disconnect();
  await server?.up();
  await server?.stop();
});

describe('Redis down', () => {
  it('answers 503 with a clear JSON error (not 500), then serves again once Redis is back', async () => {
    const admin = await app.login('admin');
    expect((await admin.fetch('/api/overview')).status).toBe(200);
    await server.down();
    for (const path of ['/api/overview', '/api/batches', '/auth/me']) {
      const started = Date.now();
      const res = await admin.fetch(path);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'dependency_unavailable', dependency: 'redis', message: expect.stringMatching(/database is unreachable/) });
      // Bounded: the answer never waits for Redis longer than the command timeout.
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
    // A write is refused the same way and changes nothing.
    expect((await admin.fetch('/api/rules/1', { method: 'PUT', body: { like: 7 } })).status).toBe(503);
    await server.up();
    const back = await waitFor(() => admin.fetch('/api/overview').then((r) => r.status), (s) => s === 200, 30_000);
    expect(back).toBe(200);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    expect((await app.stores.rules.get())[1]?.like).not.toBe(7);
  }, 60_000);
});
