export { startRedisServer, freePort, type TestRedisServer } from './redis-server';
export { startRedisCluster, type TestRedisCluster } from './redis-cluster';
export { startTestRedis, testRedisMode, scanKeys, type TestRedis, type TestRedisMode } from './test-redis';
