import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, DependencyUnavailableError, isRedisUnavailable, type Logger } from '@engagement-tracker/core';

/** Seconds a client is asked to wait before retrying while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Turn errors into `{error, message}` JSON: AppErrors keep their status; Redis being unreachable is a
 * 503 `dependency_unavailable` with Retry-After (the console says so and retries); the rest is a
 * logged 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A streamed answer (the CSV export) failed midway: log it and cut the connection, so the
      // client sees a failed download instead of waiting forever for the rest.
      log.error({ err, method: req.method, path: req.path }, 'request failed after the response started');
      res.destroy();
      return;
    }
    if (isRedisUnavailable(err)) {
      log.warn({ err: (err as Error).message, method: req.method, path: req.path }, 'request failed: Redis is unreachable');
      res.set('Retry-After', String(RETRY_AFTER_SECONDS)).status(503).json({
        error: 'dependency_unavailable',
        dependency: 'redis',
        message: 'The database is unreachable; retrying. Try again in a few seconds.',
      });
      return;
    }
    if (err instanceof AppError) {
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    if (err instanceof z.ZodError) {
      const i = err.issues[0];
      res.status(400).json({ error: 'invalid', message: `${i?.path.length ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid input'}` });
      return;
    }
    if (err instanceof RangeError) {
      res.status(400).json({ error: 'invalid', message: err.message });
      return;
    }
    const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'too_large', message: 'The request body is too large.' });
      return;
    }
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'bad_json', message: 'The request body is not valid JSON.' });
      return;
    }
    // The body parser's own 4xx (unsupported Content-Encoding or charset, a body that does not
    // decompress, an aborted upload): the client's fault, said as such, never a 500.
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
      res.status(e.status).json({ error: e.type ? e.type.replace(/\W+/g, '_') : 'bad_request', message: bodyProblem(e.type, e.message) });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal', message: 'The admin API failed. Check its logs.' });
  };
}

const DOWN = new Set(['reconnecting', 'close', 'end']);

/**
 * Answer 503 at once while the Redis client has lost its connection, instead of queueing the
 * request's commands behind the outage until they time out (the first connect is waited for).
 */
export function requireRedis(redis: { status: string }): RequestHandler {
  return (_req, _res, next) => {
    next(DOWN.has(redis.status) ? new DependencyUnavailableError() : undefined);
  };
}

function bodyProblem(type: string | undefined, message: string | undefined): string {
  if (type === 'encoding.unsupported') return 'The request body uses a Content-Encoding the API does not accept (send identity, gzip, deflate or br).';
  if (type === 'charset.unsupported') return 'The request body uses a charset the API does not accept (send UTF-8 JSON).';
  if (type === 'request.aborted') return 'The request body was cut short.';
  return `The request body could not be read${message ? ` (${message.slice(0, 200)})` : ''}.`;
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `No route ${req.method} ${req.path}` });
};
