import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, type Logger } from '@engagement-tracker/core';

/** Turn errors into `{error, message}` JSON: AppErrors keep their status, the rest is a logged 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A streamed answer (the CSV export) failed midway: log it and cut the connection, so the
      // client sees a failed download instead of waiting forever for the rest.
      log.error({ err, method: req.method, path: req.path }, 'request failed after the response started');
      res.destroy();
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
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'too_large', message: 'The request body is too large.' });
      return;
    }
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'bad_json', message: 'The request body is not valid JSON.' });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal', message: 'The admin API failed. Check its logs.' });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `No route ${req.method} ${req.path}` });
};
