import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs, whatever a caller passes. */
export const REDACT_PATHS = [
  'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'code_verifier', 'password', 'secret',
  'authorization', 'cookie', 'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  '*.token', '*.accessToken', '*.refreshToken', '*.access_token', '*.refresh_token', '*.secret', '*.authorization',
];

/** Structured JSON logs to stdout (one object per line), secrets redacted. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
