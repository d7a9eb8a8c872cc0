import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../src/testing';

describe('test redis-server harness', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => server.stop());

  it('keeps acknowledged writes across a kill -9 restart (AOF on)', async () => {
    const c = server.client();
    await c.set('engagement:probe', '42');
    await server.restart({ hard: true });
    const c2 = server.client();
    expect(await c2.get('engagement:probe')).toBe('42');
  });
});
