import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/discord';
import { dashboardQueries } from '../../src/observability/dashboards';
import { lineLevel, loadStackConfig, startStack, type Stack } from '../../src/stack';
import { REPO_ROOT } from '../../src/stack/product';
import { startOtlpReceiver, type ReceivedSpan } from './support/otlp';
import { rulesForTest, startPrometheus, type Prometheus } from './support/prometheus';

/**
 * The observability proof, against real software: the sandbox stack (admin API, bot, batch schedule,
 * each a real process with the telemetry preload), a real Prometheus scraping them with the chart's
 * alert rules, and a test OTLP receiver. Conditions are driven through the product's paths and the
 * doubles only; nothing writes a metric value.
 */
describe('observability against a real Prometheus and the real processes', () => {
  let dir: string;
  let redis: TestRedisServer;
  let stack: Stack;
  let prom: Prometheus;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let api: string;
  const lines: Array<{ service: string; line: string; at: number }> = [];

  const firing = async () => (await prom.alerts()).filter((a) => a.state === 'firing');
  const waitFor = async <T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000): Promise<T> => {
    const until = Date.now() + timeoutMs;
    let last: T | undefined;
    for (;;) {
      try {
        last = await probe();
        if (ok(last)) return last;
      } catch (err) {
        last = err as T;
      }
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const alertFiring = (name: string, labels: Record<string, string> = {}) =>
    waitFor(`${name} firing`, firing, (as) => as.some((a) => a.labels.alertname === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v)));
  const alertResolved = (name: string) => waitFor(`${name} resolved`, () => prom.alerts(), (as) => !as.some((a) => a.labels.alertname === name));
  const value = async (expr: string) => Number((await prom.query(expr))[0]?.value[1] ?? NaN);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'et-obs-'));
    redis = await startRedisServer();
    otlp = await startOtlpReceiver();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const config = loadStackConfig({
      STACK_DATA_DIR: dir,
      REDIS_URL: redis.url,
      ADMIN_API_PORT: String(port),
      STACK_COMMUNITY_SIZE: '3',
      STACK_COMMUNITY_TICK_MS: '800',
      STACK_SANDBOX_BATCH_SCHEDULE: '*/5 * * * * *',
      STACK_VERBOSE: 'true',
      LOG_LEVEL: 'info',
    });
    stack = await startStack(config, {
      echo: (l) => {
        const m = /^\[([^\]]+)\] (.*)$/.exec(l);
        if (m) lines.push({ service: m[1]!, line: m[2]!, at: Date.now() });
      },
      env: {
        ...process.env,
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '500',
        // A run is stale after 2 × 5 s + 8 s without a success.
        BATCH_MAX_WALL_SECONDS: '8',
        BATCH_SCHEDULE: undefined,
        // The example role reward's problems show within seconds.
        ROLE_SYNC_INTERVAL_MS: '2000',
      },
    });
    const port0 = (service: string, msg: string) => {
      const l = lines.find((x) => x.service === service && x.line.includes(`"msg":"${msg}"`));
      return l ? (JSON.parse(l.line) as { healthPort: number }).healthPort : undefined;
    };
    const ports = await waitFor('health ports in the logs', async () => ({ bot: port0('bot', 'bot starting'), batch: port0('batch-schedule', 'batch scheduler started') }), (p) => Boolean(p.bot && p.batch), 180_000);
    const rules = join(dir, 'alerts.yaml');
    await rulesForTest(join(REPO_ROOT, 'charts', 'engagement-tracker', 'files', 'alerts.yaml'), rules);
    // Scrapes every 2 s: a scrape waits at most 1 s for Redis, so a down Redis never fails the scrape itself.
    prom = await startPrometheus({ dir: join(dir, 'prometheus'), rules, interval: '2s', targets: { 'admin-api': `127.0.0.1:${port}`, bot: `127.0.0.1:${ports.bot}`, 'batch-job': `127.0.0.1:${ports.batch}` } });
  }, 240_000);

  afterAll(async () => {
    await prom?.stop();
    await stack?.stop();
    await otlp?.close();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('starts every process without an error, a warning from the loader or a stack trace', async () => {
    // What each process printed in its first 20 seconds (it loads, connects, the bot logs in, the first runs happen).
    const services = ['register-commands', 'admin-api', 'bot', 'batch-schedule'];
    const firstAt = (service: string) => lines.find((l) => l.service === service)?.at;
    await waitFor('a line from every process', async () => services.map(firstAt), (ats) => ats.every((a) => a !== undefined), 60_000);
    const until = Math.max(...services.map((s) => firstAt(s)!)) + 20_000;
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
    const early = lines.filter((l) => services.includes(l.service) && l.at < firstAt(l.service)! + 20_000);
    const bad = early.filter((l) => !l.line.startsWith('{') || (lineLevel(l.line) ?? 0) >= 50 || /import-in-the-middle|\n\s+at |^\s+at /.test(l.line));
    expect(bad.map((l) => `[${l.service}] ${l.line}`)).toEqual([]);
    expect(early.some((l) => l.service === 'bot' && l.line.includes('"msg":"connected to Discord"'))).toBe(true);
  }, 120_000);

  it('scrapes every process; on a healthy stack with finished runs no alert fires', async () => {
    await waitFor('every target up', () => prom.targets(), (ts) => ts.length === 3 && ts.every((t) => t.health === 'up'));
    await waitFor('a succeeded run and tracked posts', async () => [await value('sum(engagement_tracker_batch_runs_total{status="succeeded"})'), await value('max(engagement_tracker_tweets_tracked)')], ([ok, tracked]) => ok! > 0 && tracked! > 0);
    // The community has linked, submitted and engaged; stop it so the conditions below are the only change.
    stack.community?.stop();
    await waitFor('points awarded', () => value('max(engagement_tracker_points_awarded_today)'), (v) => v > 0);
    expect((await firing()).map((a) => a.labels.alertname)).toEqual([]);
    for (const svc of ['admin-api', 'bot', 'batch-job']) expect(await value(`min(engagement_tracker_redis_up{service="${svc}"})`), svc).toBe(1);
    expect(await value('max(engagement_tracker_bot_gateway_connected)')).toBe(1);
  }, 240_000);

  it('fires BatchFailing and BatchStale while X refuses the runs, and resolves them after a success', async () => {
    // X answers 400 to every post lookup: each run fails (a 4xx other than 429 is not retried).
    stack.doubles!.x.fail({ status: 400, endpoint: 'tweets_lookup', count: 10_000 });
    await alertFiring('EngagementTrackerBatchFailing');
    await alertFiring('EngagementTrackerBatchStale');
    expect(await value('max(engagement_tracker_batch_consecutive_failed_runs)')).toBeGreaterThanOrEqual(3);
    stack.doubles!.x.clearFaults();
    await alertResolved('EngagementTrackerBatchFailing');
    await alertResolved('EngagementTrackerBatchStale');
  }, 300_000);

  it('fires XRateLimited when X answers 429 run after run, and resolves once a run completes', async () => {
    stack.doubles!.x.fail({ status: 429, endpoint: 'tweets_lookup', count: 10_000 });
    await alertFiring('EngagementTrackerXRateLimited');
    expect(await value('sum(engagement_tracker_batch_x_rate_limited_total)')).toBeGreaterThanOrEqual(2);
    expect(await value('sum(engagement_tracker_batch_stops_total{reason="rate_limited"})')).toBeGreaterThanOrEqual(2);
    stack.doubles!.x.clearFaults();
    await alertResolved('EngagementTrackerXRateLimited');
  }, 300_000);

  it("fires the anomaly alerts when an admin's adjustment makes a member's points explode, lists the member in the console, and resolves when it is taken back", async () => {
    const admin = await signIn('admin');
    const members = (await (await admin('/api/members')).json()) as Array<{ id: string }>;
    const id = members[0]!.id;
    expect((await admin(`/api/members/${id}/adjustments`, { method: 'POST', body: { delta: 5000, reason: 'observability test' } })).status).toBe(201);
    await alertFiring('EngagementTrackerMemberPointsAnomalous');
    await alertFiring('EngagementTrackerCommunityPointsAnomalous');
    const listed = (await (await admin(`/api/members?filter=${encodeURIComponent(JSON.stringify({ anomalous: true }))}`)).json()) as Array<{ id: string; anomaly: { gain24h: number } }>;
    expect(listed.map((m) => m.id)).toEqual([id]);
    expect(listed[0]!.anomaly.gain24h).toBeGreaterThanOrEqual(5000);
    expect((await admin(`/api/members/${id}/adjustments`, { method: 'POST', body: { delta: -5000, reason: 'observability test, taken back' } })).status).toBe(201);
    await alertResolved('EngagementTrackerMemberPointsAnomalous');
    await alertResolved('EngagementTrackerCommunityPointsAnomalous');
  }, 300_000);

  it('fires RoleRewardProblems while the bot lacks Manage Roles (the example rule cannot apply), and resolves when it is given back', async () => {
    const discord = stack.doubles!.discord;
    const botRole = [...discord.state.guild().roles.values()].find((r) => r.name === 'Engagement Tracker')!;
    discord.roles.update(botRole.id, { permissions: '0' });
    await alertFiring('EngagementTrackerRoleRewardProblems');
    expect(await value('max(engagement_tracker_bot_role_rules_with_problems)')).toBeGreaterThanOrEqual(1);
    discord.roles.update(botRole.id, { permissions: String(PERMISSIONS.MANAGE_ROLES) });
    await alertResolved('EngagementTrackerRoleRewardProblems');
  }, 180_000);

  it('fires RedisUnreachable for every process while Redis is down (and the admin API 5xx alert as the console fails), and resolves when it is back', async () => {
    const admin = await signIn('admin');
    const c = redis.client();
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    for (const service of ['admin-api', 'bot', 'batch-job']) await alertFiring('EngagementTrackerRedisUnreachable', { service });
    // The console's requests fail while Redis is down.
    await waitFor('admin API 5xx alert', async () => {
      await Promise.all(Array.from({ length: 10 }, () => admin('/api/overview').catch(() => undefined)));
      return firing();
    }, (as) => as.some((a) => a.labels.alertname === 'EngagementTrackerAdminApiErrors'));
    await redis.restart();
    await alertResolved('EngagementTrackerRedisUnreachable');
  }, 300_000);

  it('returns series for every dashboard query, and every metric the dashboards name is exported', async () => {
    const exported = new Set(await prom.metricNames());
    const empty: string[] = [];
    for (const q of dashboardQueries()) {
      for (const name of q.expr.match(/engagement_tracker_[a-z0-9_]+/g) ?? []) expect(exported.has(name), `${q.dashboard} / ${q.panel}: ${name} is not exported`).toBe(true);
      if (!(await prom.query(q.expr)).length) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  }, 120_000);

  it('receives traces from the real processes: bot /submit, batch runs (one-shot run flushed before exit), admin API routes; logs carry the trace id', async () => {
    const spans = otlp.spans;
    const trace = (s: ReceivedSpan) => spans.filter((x) => x.traceId === s.traceId);
    const xHost = new URL(stack.doubles!.x.url).host;
    const callsX = (s: ReceivedSpan) => JSON.stringify(s.attributes).includes(xHost);
    const redisSpan = (s: ReceivedSpan) => s.scope.includes('ioredis');

    // bot: a /submit interaction, with its Redis commands and the X lookup in the same trace.
    const submit = await waitFor('a /submit trace', async () => spans.filter((s) => s.service === 'bot' && s.name === 'discord.interaction submit'), (xs) => xs.some((s) => trace(s).some(redisSpan) && trace(s).some(callsX)));
    expect(submit.length).toBeGreaterThan(0);

    // batch: the run span (with its run id), X requests, Redis commands and the award step in one trace;
    // one of them from the one-shot `batch-job run` process, which exported before exiting.
    const runs = spans.filter((s) => s.service === 'batch-job' && s.name === 'batch.run');
    const full = runs.filter((r) => typeof r.attributes['batch.run_id'] === 'string' && trace(r).some(callsX) && trace(r).some(redisSpan) && trace(r).some((s) => s.name === 'batch.award'));
    expect(full.length).toBeGreaterThan(0);
    const oneShot = runs.find((r) => (r.resource['process.command_args'] as string[] | undefined)?.includes('run'));
    expect(oneShot, 'a batch.run span from the one-shot run process').toBeDefined();
    // Its log lines carry the trace id.
    const logged = lines.filter((l) => l.service === 'batch-first-run' && l.line.includes('"msg":"batch run finished"')).map((l) => JSON.parse(l.line) as { trace_id?: string });
    expect(logged.map((l) => l.trace_id)).toContain(oneShot!.traceId);

    // admin API: request spans named after their routes.
    const routes = new Set(spans.filter((s) => s.service === 'admin-api').map((s) => s.attributes['http.route']).filter(Boolean));
    expect([...routes]).toEqual(expect.arrayContaining(['/api/members']));
  }, 120_000);

  /** Sign in to the admin API as a sandbox user; returns a fetch with the session and CSRF headers. */
  async function signIn(role: 'admin' | 'core') {
    const res = await fetch(`${api}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('et_csrf='))!.slice('et_csrf='.length);
    return (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${api}${path}`, {
        method: init.method ?? 'GET',
        headers: { cookie: cookies.join('; '), 'x-csrf-token': csrf, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
  }
});
