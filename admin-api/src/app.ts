import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import { Counter, Histogram, type Registry } from 'prom-client';
import { redisAnswers } from '@engagement-tracker/core';
import { anomalyThresholds } from './config';
import type { AppDeps } from './deps';
import { authenticate } from './middleware/authenticate';
import { cors } from './middleware/cors';
import { errorHandler, notFound, requireRedis } from './middleware/errors';
import { rateLimitByIp, rateLimitByPrincipal } from './middleware/rate-limit';
import { apiTokensRouter } from './routes/api-tokens';
import { auditLogRouter } from './routes/audit-log';
import { authRouter } from './routes/auth';
import { bansRouter } from './routes/bans';
import { batchesRouter } from './routes/batches';
import { leaderboardRouter } from './routes/leaderboard';
import { membersRouter } from './routes/members';
import { overviewRouter } from './routes/overview';
import { reviewRouter } from './routes/review';
import { rulesRouter } from './routes/rules';
import { roleRewardsRouter } from './routes/role-rewards';
import { seasonsRouter } from './routes/seasons';
import { settingsRouter } from './routes/settings';
import { tweetsRouter } from './routes/tweets';
import { repoRoot } from './runs/local-launcher';

/** The API routers under /api, by resource. */
export function apiRouter(deps: AppDeps): Router {
  const { stores } = deps;
  const api = Router();
  api.use('/:resource', rememberBaseUrl);
  api.use('/tweets', tweetsRouter(stores));
  api.use('/members', membersRouter(stores, anomalyThresholds(deps.config)));
  api.use('/leaderboard', leaderboardRouter(stores));
  api.use('/rules', rulesRouter(stores));
  api.use('/seasons', seasonsRouter(stores));
  api.use('/role-rewards', roleRewardsRouter(stores));
  api.use('/batches', batchesRouter(stores, deps.runs));
  api.use('/audit-log', auditLogRouter(stores));
  api.use('/api-tokens', apiTokensRouter(stores, deps.tokens));
  api.use('/overview', overviewRouter(stores));
  api.use('/bans', bansRouter(stores));
  api.use('/review', reviewRouter(stores));
  api.use('/settings', settingsRouter(stores));
  api.use(notFound);
  return api;
}

/** Keep the router's base path for the request metrics: Express restores req.baseUrl as an error unwinds. */
const rememberBaseUrl: express.RequestHandler = (req, res, next) => {
  res.locals.baseUrl = req.baseUrl;
  next();
};

/** Why a sign-in failed: the Discord callback's reasons, and requests with no valid session or token. */
const SIGN_IN_FAILURES = ['unauthenticated', 'bad_state', 'denied', 'not_allowed', 'discord_error'] as const;

function httpMetrics(registry: Registry) {
  const requests = new Counter({ name: 'engagement_tracker_admin_api_requests_total', help: 'HTTP requests by method, route and status code', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'engagement_tracker_admin_api_request_duration_seconds', help: 'HTTP request latency by method and route', labelNames: ['method', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const signInFailures = new Counter({ name: 'engagement_tracker_admin_api_sign_in_failures_total', help: 'Refused sign-ins (Discord callback) and requests with an invalid session or API token, by reason', labelNames: ['reason'], registers: [registry] });
  const rateLimited = new Counter({ name: 'engagement_tracker_admin_api_rate_limited_total', help: 'Requests refused with 429 by the per-IP or the per-user limit', labelNames: ['scope'], registers: [registry] });
  const refusedRuns = new Counter({ name: 'engagement_tracker_admin_api_manual_runs_refused_total', help: 'Manual batch runs refused (409: a run holds the lock or was just started)', registers: [registry] });
  // Known label values start at 0, so the series exist (and increase() sees the first one).
  for (const reason of SIGN_IN_FAILURES) signInFailures.inc({ reason }, 0);
  for (const scope of ['ip', 'user']) rateLimited.inc({ scope }, 0);
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The route's full path (a router's base is gone by the time an error handler answered; see rememberBaseUrl).
      const matched = (req.route as { path?: string } | undefined)?.path;
      const route = (matched !== undefined ? `${(res.locals as { baseUrl?: string }).baseUrl ?? req.baseUrl}${matched}` : req.baseUrl) || 'unmatched';
      const status = res.statusCode;
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(status) });
      const limited = (res.locals as { rateLimited?: string }).rateLimited;
      if (limited) rateLimited.inc({ scope: limited });
      if (route === '/api/batches/' && req.method === 'POST' && status === 409) refusedRuns.inc();
      const failure = (res.locals as { signInFailure?: string }).signInFailure;
      if (failure) signInFailures.inc({ reason: failure });
      else if (status === 401 && route !== '/auth/me') signInFailures.inc({ reason: 'unauthenticated' });
    });
    next();
  };
}

/**
 * JSON bodies are UTF-8 (RFC 8259); the parser would also decode UTF-16/32 and UTF-7 (a classic filter
 * bypass). Any other declared charset is a 415 before the body is read.
 */
const jsonCharsetOnly: express.RequestHandler = (req, res, next) => {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return void res.status(415).json({ error: 'charset_unsupported', message: 'Send the request body as UTF-8 JSON.' });
  }
  next();
};

/** Build the admin API app (server.ts listens; tests mount it directly). */
export function createApp(deps: AppDeps & { registry?: Registry }): Express {
  const { config, stores, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  if (deps.registry) app.use(httpMetrics(deps.registry));
  app.use(
    helmet({
      hsts: config.secureCookies,
      contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', 'https://pbs.twimg.com', 'https://cdn.discordapp.com'], 'upgrade-insecure-requests': config.secureCookies ? [] : null } },
    }),
  );
  if (config.CORS_ORIGINS.length) app.use(cors(config.CORS_ORIGINS));
  app.use(cookieParser());
  app.use(jsonCharsetOnly, express.json({ limit: config.API_BODY_LIMIT }));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ok = await redisAnswers(stores.ctx.redis);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'redis unreachable' });
  });
  if (deps.registry) {
    const registry = deps.registry;
    app.get('/metrics', async (_req, res) => void res.type(registry.contentType).send(await registry.metrics()));
  }

  const perMinute = config.API_RATE_LIMIT_PER_MINUTE;
  const redisUp = requireRedis(stores.ctx.redis);
  app.use('/connect', redisUp, rateLimitByIp(stores, perMinute));
  for (const m of deps.mounts ?? []) app.use(m.path, m.router);

  app.use('/auth', rememberBaseUrl, redisUp, rateLimitByIp(stores, perMinute), authRouter(deps));
  app.use('/api', redisUp, rateLimitByIp(stores, perMinute), authenticate(deps.sessions, deps.tokens), rateLimitByPrincipal(stores, perMinute), apiRouter(deps));

  const dist = config.ADMIN_WEB_DIST ?? join(repoRoot(), 'admin-web', 'dist');
  if (existsSync(join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-store') }));
    app.get(/^\/(?!api\/|auth\/|connect\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(join(dist, 'index.html'));
    });
  } else {
    log.info({ dist }, 'no built console found; serving the API only');
  }
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
