import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'tokens', 'code_verifier', 'codeVerifier',
  'password', 'secret', 'clientSecret', 'client_secret', 'botToken', 'ticket', 'authorization', 'cookie',
];

/** Paths never written to logs, whatever a caller passes: at the top level and one level down. */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.headers.authorization', '*.headers.cookie',
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
