/**
 * The console image's process: serves the built console on ADMIN_WEB_PORT (default 8080) and, when
 * ADMIN_API_URL is set, passes /api, /auth and /connect to the admin API. JSON logs on stdout; stops
 * on SIGTERM after the open requests are answered.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConsoleServer } from './server';

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), name: 'admin-web', msg, ...fields })}\n`);
}

const port = Number(process.env.ADMIN_WEB_PORT ?? 8080);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  log('error', 'invalid configuration: ADMIN_WEB_PORT must be a port number');
  process.exit(2);
}
const root = process.env.ADMIN_WEB_ROOT ?? fileURLToPath(new URL('./public/', import.meta.url));
const apiUrl = process.env.ADMIN_API_URL || undefined;
const server = createConsoleServer({ root, ...(apiUrl ? { apiUrl } : {}), log });
server.keepAliveTimeout = 65_000;
server.listen(port, () => log('info', 'console listening', { port: (server.address() as AddressInfo).port, apiProxy: apiUrl ?? null }));

const stop = (signal: string) => {
  log('info', 'stopping', { signal });
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
