import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseSchema, ConfigError, env, loadConfig } from '../src';

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
