import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { ApiTokenStore } from '../src/auth/api-token-store';
import { SessionStore } from '../src/auth/session-store';
import { startTestApp } from './app-harness';

let redis: TestRedisServer;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
});
afterAll(async () => {
  await redis?.stop();
});

describe('sessions and tokens expire', () => {
  it('ends a session after the idle time, slides it on use, and ends it at the absolute limit', async () => {
    let now = 1_000_000;
    const s = new SessionStore(redis.client(), 'sess', 10 * 60_000, 60 * 60_000, () => now);
    const { id } = await s.create({ userId: '1', name: 'A', role: 'core' });
    expect(await redis.client().exists(`sess:session:${id}`)).toBe(0); // only a hash of the id is stored
    now += 9 * 60_000;
    expect(await s.get(id)).not.toBeNull(); // used: idle clock restarts
    now += 9 * 60_000;
    expect(await s.get(id)).not.toBeNull();
    now += 11 * 60_000;
    expect(await s.get(id)).toBeNull(); // idle too long
    const b = await s.create({ userId: '2', name: 'B', role: 'admin' });
    for (let i = 0; i < 7; i++) {
      now += 9 * 60_000;
      const alive = await s.get(b.id);
      expect(alive !== null, `after ${(i + 1) * 9} min`).toBe((i + 1) * 9 < 60);
    }
  });

  it('a request in flight while the user signs out does not bring the session back', async () => {
    let now = 2_000_000;
    const client = redis.client();
    const s = new SessionStore(client, 'sess2', 10 * 60_000, 60 * 60_000, () => now);
    const { id } = await s.create({ userId: '3', name: 'C', role: 'admin' });
    now += 2 * 60_000; // old enough for the idle expiry to slide on this read
    const get = client.get.bind(client);
    // The sign-out lands between the read and the sliding write.
    client.get = (async (key: string) => {
      const v = await get(key);
      await s.destroy(id);
      return v;
    }) as typeof client.get;
    try {
      await s.get(id);
    } finally {
      client.get = get;
    }
    expect(await s.get(id)).toBeNull();
  });

  it('refuses an expired API token', async () => {
    let now = 5_000_000;
    const t = new ApiTokenStore(redis.client(), 'tok', () => now);
    const { token } = await t.create({ name: 'ci', role: 'admin', scopes: ['read'], createdBy: 'x', ttlMs: 1000 });
    expect(await t.verify(token)).not.toBeNull();
    expect(await t.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    now += 1001;
    expect(await t.verify(token)).toBeNull();
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After per user and per IP, in Redis', async () => {
    const app = await startTestApp(redis, { API_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const core = await app.login('core');
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await core.fetch('/api/rules')).status);
      expect(codes.slice(0, 4).every((c) => c === 200)).toBe(true);
      const limited = await core.fetch('/api/rules');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Anonymous callers from the same IP are limited too, before authentication.
      expect((await fetch(`${app.url}/api/rules`)).status).toBe(429);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('client IP for the rate limits', () => {
  it('trusts no proxy by default: a made-up X-Forwarded-For does not get around the per-IP limit', async () => {
    const app = await startTestApp(redis, { API_RATE_LIMIT_PER_MINUTE: '20' });
    expect(app.config.TRUST_PROXY_HOPS).toBe(0);
    try {
      const codes: number[] = [];
      for (let i = 0; i < 30; i++) {
        const path = ['/auth/me', '/api/rules', '/connect/x/start'][i % 3]!;
        codes.push((await fetch(`${app.url}${path}`, { headers: { 'x-forwarded-for': `10.0.0.${i}`, authorization: 'Bearer et_000000000000_wrong' } })).status);
      }
      expect(codes.filter((c) => c === 429).length).toBe(10);
    } finally {
      await app.close();
    }
  });

  it('with TRUST_PROXY_HOPS=1 (one proxy in front) the forwarded client IP is the one limited', async () => {
    const app = await startTestApp(redis, { API_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' });
    try {
      const hit = (ip: string) => fetch(`${app.url}/auth/me`, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
      const a = [await hit('203.0.113.7'), await hit('203.0.113.7'), await hit('203.0.113.7'), await hit('203.0.113.7')];
      expect(a).toEqual([401, 401, 401, 429]);
      expect(await hit('203.0.113.8')).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('CORS (only when CORS_ORIGINS is set)', () => {
  it('allows the configured origin with credentials and exposes Content-Range; ignores others', async () => {
    const app = await startTestApp(redis, { CORS_ORIGINS: 'http://localhost:5173' });
    try {
      const pre = await fetch(`${app.url}/api/tweets`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/X-CSRF-Token/);
      const core = await app.login('core');
      const res = await core.fetch('/api/tweets', { headers: { origin: 'http://localhost:5173' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Content-Range/);
      const other = await core.fetch('/api/tweets', { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.close();
    }
  });
});
