import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseSchema, ConfigError, env, hasRealCredentials, isRemoteUrl, loadConfig } from '../src';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig(baseSchema, {});
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.REDIS_KEY_PREFIX).toBe('engagement');
  });
  it('lists every missing or invalid variable in one error', () => {
    const schema = baseSchema.extend({ DISCORD_BOT_TOKEN: z.string(), PORT: env.port(8080) });
    try {
      loadConfig(schema, { REDIS_URL: 'nope', PORT: '99999', TOKEN_ENCRYPTION_KEY: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/REDIS_URL/);
      expect(msg).toMatch(/DISCORD_BOT_TOKEN is required/);
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/TOKEN_ENCRYPTION_KEY/);
      expect((err as ConfigError).problems).toHaveLength(4);
    }
  });
});

describe('isRemoteUrl', () => {
  it('treats loopback (the sandbox doubles) as local and every other host as a real service', () => {
    for (const u of ['http://127.0.0.1:9/api', 'http://localhost:8080', 'http://[::1]:3000']) expect(isRemoteUrl(u), u).toBe(false);
    for (const u of ['https://discord.com/api', 'https://api.x.com', 'https://discord-proxy.internal', 'http://10.0.0.5:80', 'http://127.0.0.1.nip.io']) expect(isRemoteUrl(u), u).toBe(true);
  });
});

describe('hasRealCredentials', () => {
  it('counts secrets for any non-loopback Discord or X host as real, and the doubles on loopback as not', () => {
    expect(hasRealCredentials({})).toBe(false);
    expect(hasRealCredentials({ DISCORD_API_BASE_URL: 'https://discord.com/api', DISCORD_BOT_TOKEN: 't' })).toBe(true);
    expect(hasRealCredentials({ DISCORD_API_BASE_URL: 'https://discord-proxy.internal/api', DISCORD_CLIENT_SECRET: 's' })).toBe(true);
    expect(hasRealCredentials({ TWITTER_API_BASE_URL: 'https://api.x.com', TWITTER_BEARER_TOKEN: 'b' })).toBe(true);
    expect(hasRealCredentials({ DISCORD_API_BASE_URL: 'http://127.0.0.1:5000/api', DISCORD_BOT_TOKEN: 't', TWITTER_API_BASE_URL: 'http://localhost:5001', TWITTER_CLIENT_SECRET: 's' })).toBe(false);
    expect(hasRealCredentials({ DISCORD_API_BASE_URL: 'https://discord.com/api', TWITTER_API_BASE_URL: 'https://api.x.com' })).toBe(false);
  });
});
