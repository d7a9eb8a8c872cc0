import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseSchema, boardRetentionOf, ConfigError, DEFAULT_KEY_RETENTION, keyRetentionOf, credential, CREDENTIAL_VARIABLES, env, hasRealCredentials, isRemoteUrl, loadConfig, resolveMode, SANDBOX_CREDENTIALS, SANDBOX_ENCRYPTION_KEY } from '../src';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig(baseSchema, {});
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.REDIS_KEY_PREFIX).toBe('engagement');
    expect(boardRetentionOf(c)).toEqual({ days: 62, weeks: 53, months: 24 });
  });
  it('takes the period boards\' retention from LEADERBOARD_KEEP_*, whole numbers in range only', () => {
    expect(boardRetentionOf(loadConfig(baseSchema, { LEADERBOARD_KEEP_DAYS: '7', LEADERBOARD_KEEP_WEEKS: '26', LEADERBOARD_KEEP_MONTHS: '12' }))).toEqual({ days: 7, weeks: 26, months: 12 });
    expect(() => loadConfig(baseSchema, { LEADERBOARD_KEEP_WEEKS: '0', LEADERBOARD_KEEP_DAYS: '1.5', LEADERBOARD_KEEP_MONTHS: 'forever' })).toThrow(
      /LEADERBOARD_KEEP_DAYS[\s\S]*LEADERBOARD_KEEP_WEEKS[\s\S]*LEADERBOARD_KEEP_MONTHS/,
    );
  });
  it('takes how long run records and daily statistics are kept from BATCH_RUNS_KEEP_DAYS, BATCH_RUNS_KEEP and STATS_KEEP_DAYS', () => {
    expect(keyRetentionOf(loadConfig(baseSchema, {}))).toEqual(DEFAULT_KEY_RETENTION);
    expect(keyRetentionOf(loadConfig(baseSchema, { BATCH_RUNS_KEEP_DAYS: '30', BATCH_RUNS_KEEP: '500', STATS_KEEP_DAYS: '60' }))).toMatchObject({ runDays: 30, runs: 500, statsDays: 60 });
    // The console reads 30 days of statistics: fewer kept days are refused.
    expect(() => loadConfig(baseSchema, { STATS_KEEP_DAYS: '7', BATCH_RUNS_KEEP: '10', BATCH_RUNS_KEEP_DAYS: '0' })).toThrow(/BATCH_RUNS_KEEP_DAYS[\s\S]*BATCH_RUNS_KEEP[\s\S]*STATS_KEEP_DAYS/);
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

describe('resolveMode: one rule for sandbox mode or real credentials', () => {
  const KEY = 'b'.repeat(64);
  it('is sandbox mode exactly when no Discord or X credential is set, unless SANDBOX says otherwise', () => {
    expect(resolveMode({})).toEqual({ sandbox: true, realCredentials: false, encryptionKey: SANDBOX_ENCRYPTION_KEY, problems: [] });
    for (const k of CREDENTIAL_VARIABLES) expect(resolveMode({ [k]: 'x', TOKEN_ENCRYPTION_KEY: KEY }).sandbox, k).toBe(false);
    expect(resolveMode({ DISCORD_BOT_TOKEN: '' }).sandbox).toBe(true); // empty counts as unset
    expect(resolveMode({ SANDBOX: 'true', TWITTER_BEARER_TOKEN: 'b', TWITTER_API_BASE_URL: 'http://127.0.0.1:5001' })).toMatchObject({ sandbox: true, problems: [] });
    expect(resolveMode({ SANDBOX: 'false' })).toMatchObject({ sandbox: false, problems: ['TOKEN_ENCRYPTION_KEY is required outside sandbox mode'] });
  });

  it('never lets real credentials use the public sandbox key, even with SANDBOX=true', () => {
    expect(resolveMode({ SANDBOX: 'true', TWITTER_BEARER_TOKEN: 'b' })).toMatchObject({ sandbox: true, realCredentials: true, problems: [expect.stringMatching(/TOKEN_ENCRYPTION_KEY is required with real/)] });
    expect(resolveMode({ DISCORD_BOT_TOKEN: 't', TOKEN_ENCRYPTION_KEY: KEY })).toMatchObject({ sandbox: false, realCredentials: true, encryptionKey: KEY, problems: [] });
  });

  it('gives the sandbox defaults only in sandbox mode, the set value always', () => {
    const sandbox = resolveMode({});
    const real = resolveMode({ TWITTER_CLIENT_ID: 'mine', TOKEN_ENCRYPTION_KEY: KEY });
    expect(credential(sandbox, {}, 'TWITTER_BEARER_TOKEN')).toBe(SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN);
    expect(credential(real, {}, 'TWITTER_BEARER_TOKEN')).toBeUndefined();
    expect(credential(real, { TWITTER_CLIENT_ID: 'mine' }, 'TWITTER_CLIENT_ID')).toBe('mine');
  });
});
