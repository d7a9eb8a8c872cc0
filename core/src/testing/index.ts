export { startRedisServer, freePort, type TestRedisServer } from './redis-server';
