import { readFileSync } from 'node:fs';
import { keySlot } from '../src/redis/key-slot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSchema } from '../src/config';
import { README, withKeyTable } from '../src/cli/write-key-table';
import { parseClusterUrl } from '../src/redis/connection';
import { KEY_DOCS, Keys } from '../src/redis/keys';
import { assertOneSlot, loadScripts, registerScripts, SCRIPT_KEY_CHECK, splitFilename } from '../src/redis/script-loader';
import { startRedisServer, type TestRedisServer } from '../src/testing';

const builders = (keys: Keys) => Object.keys(keys).filter((k) => typeof (keys as unknown as Record<string, unknown>)[k] === 'function');

describe('the key module', () => {
  it('documents every key builder, and the README table is the one generated from it', () => {
    const keys = new Keys();
    expect(KEY_DOCS.map((d) => d.key).sort()).toEqual(builders(keys).sort());
    const readme = readFileSync(README, 'utf8');
    expect(withKeyTable(readme), 'README key table is stale: run npm run docs:keys').toBe(readme);
    expect(readme).toContain('| `{engagement}:member:<discordId>` | hash |');
  });

  it('puts every key of a deployment in one hash slot, whatever the prefix', () => {
    for (const prefix of ['engagement', 'acme-prod', 't1a2b3c4']) {
      const keys = new Keys(prefix);
      const all = KEY_DOCS.map((d) => (keys[d.key] as (...a: string[]) => string)(...(d.args ?? []).map((a) => `${a}-123456789012345678`)));
      expect(all.every((k) => k.startsWith(`{${prefix}}:`))).toBe(true);
      expect(new Set(all.map((k) => keySlot(k))).size).toBe(1);
    }
    expect(keySlot(new Keys('a').member('1'))).not.toBe(keySlot(new Keys('b').member('1')));
    expect(() => new Keys('a}b')).toThrow(/prefix/);
  });

  it('refuses a script call whose keys span two slots, before it reaches Redis', () => {
    expect(() => assertOneSlot('x', ['{a}:1', '{a}:2'])).not.toThrow();
    expect(() => assertOneSlot('x', ['{a}:1', '{b}:2'])).toThrow(/two hash slots/);
    expect(() => assertOneSlot('x', ['plain:1', 'plain:2'])).toThrow(/two hash slots/);
  });

  it('names scripts <name>-<numberOfKeys>.lua, or -<n>+.lua when more keys follow per call', () => {
    expect(splitFilename('setTier-2.lua')).toEqual({ name: 'setTier', numberOfKeys: 2, variadic: false });
    expect(splitFilename('removeTweet-6+.lua')).toEqual({ name: 'removeTweet', numberOfKeys: 6, variadic: true });
    expect(() => splitFilename('nokeys.lua')).toThrow();
    for (const s of loadScripts()) {
      // Every script documents the keys and arguments it takes.
      expect(s.lua, s.name).toMatch(/KEYS\[1/);
      expect(s.lua, s.name).toMatch(/Output:/);
    }
  });
});

describe('REDIS_URL', () => {
  it('names one server, or a Redis Cluster by its seed nodes (redis+cluster://)', () => {
    expect(parseClusterUrl('redis://127.0.0.1:6379')).toBeNull();
    expect(parseClusterUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({ nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], tls: false });
    expect(parseClusterUrl('rediss+cluster://app:p%40ss@redis.example:6380/')).toEqual({ nodes: [{ host: 'redis.example', port: 6380 }], username: 'app', password: 'p@ss', tls: true });
    expect(() => parseClusterUrl('redis+cluster://host:99999')).toThrow(/Invalid cluster node/);
    for (const ok of ['redis://h:1', 'rediss://u:p@h:1/0', 'redis+cluster://a:1,b:2']) expect(baseSchema.safeParse({ REDIS_URL: ok }).success, ok).toBe(true);
    for (const bad of ['http://h:1', 'redis+cluster://', 'not a url']) expect(baseSchema.safeParse({ REDIS_URL: bad }).success, bad).toBe(false);
  });
});

describe('scripts on a real server', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ aof: false });
  });
  afterAll(async () => server.stop());

  it('the key check (on in tests) stops a script that touches a key it was not given', async () => {
    expect(process.env.REDIS_SCRIPT_KEY_CHECK).toBe('1');
    const redis = server.client();
    const lua = `${SCRIPT_KEY_CHECK}redis.call('SET', KEYS[1], '1') return redis.call('GET', ARGV[1])`;
    expect(await redis.eval(lua, 1, '{t}:a', '{t}:a')).toBe('1');
    await expect(redis.eval(lua, 1, '{t}:a', '{t}:b')).rejects.toThrow(/not passed in KEYS: \{t\}:b/);
    await expect(redis.eval(`${SCRIPT_KEY_CHECK}return redis.call('DEL', KEYS[1], ARGV[1])`, 1, '{t}:a', '{t}:c')).rejects.toThrow(/not passed in KEYS/);
  });

  it('runs a variadic script with the keys of the call, and checks the count of fixed ones', async () => {
    const run = registerScripts(server.client());
    const keys = new Keys('vs');
    await expect(run('setTier', [keys.member('1')], [1, 'a', 1, '1'])).rejects.toThrow(/takes 2 keys, got 1/);
    await expect(run('removeTweet', [keys.tweet('1')], [])).rejects.toThrow(/takes 6 or more keys/);
    await expect(run('deleteIfValue', ['{other}:x'], ['v'])).resolves.toBe(0);
  });
});
