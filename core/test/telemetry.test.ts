import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../src/testing';
import { serviceNameFromEntry, tracesExported } from '../src/telemetry/otel';

const run = promisify(execFile);
let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer({ aof: false });
});
afterAll(async () => server.stop());

describe('OpenTelemetry preload', () => {
  it('traces incoming HTTP, express, outgoing fetch and ioredis under a parent; skips health checks', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/otel-register.ts', './test/fixtures/otel-app.ts'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, REDIS_URL: server.url },
      timeout: 30_000,
    });
    const spans = JSON.parse(stdout.trim().split('\n').pop()!) as Array<{ name: string; scope: string; parent: string | null }>;
    const scopes = new Set(spans.map((s) => s.scope));
    expect(scopes).toContain('@opentelemetry/instrumentation-http');
    expect(scopes).toContain('@opentelemetry/instrumentation-express');
    expect(scopes).toContain('@opentelemetry/instrumentation-undici');
    // Redis commands appear only under a parent span: the request's, or the batch step's.
    const redisSpans = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-ioredis');
    expect(redisSpans.map((s) => s.name).sort()).toEqual(['get', 'set']);
    expect(redisSpans.find((s) => s.name === 'get')!.parent).toBe('batch.step');
    expect(spans.some((s) => s.name.includes('/healthz'))).toBe(false);
    // OAuth codes, states and /connect tickets in URLs never reach a span; other parameters do.
    const recorded = JSON.stringify(spans);
    expect(recorded).not.toMatch(/oauth-code-secret|state-secret|ticket-secret/);
    expect(recorded).toContain('page=2');
  });
});

describe('the telemetry preload', () => {
  // What the preload did, seen from the app: spans record only when the SDK was started.
  const probe = `import { trace } from '@opentelemetry/api';
const span = trace.getTracer('probe').startSpan('probe');
console.log(JSON.stringify({ recording: span.isRecording() }));
span.end();`;
  const preload = (env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', '--import', './src/telemetry/register.ts', '--input-type=module', '-e', probe], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', OTEL_SDK_DISABLED: '', OTEL_BSP_SCHEDULE_DELAY: '600000', ...env },
      timeout: 60_000,
    }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()!) as { recording: boolean });

  it('starts no SDK when no exporter is configured, and starts it when an OTLP endpoint is set', async () => {
    expect((await preload({})).recording).toBe(false);
    expect((await preload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).recording).toBe(true);
    expect((await preload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' })).recording).toBe(false);
  });

  it('tracesExported: an endpoint or a traces exporter other than none, unless the SDK is disabled', () => {
    expect(tracesExported({})).toBe(false);
    expect(tracesExported({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesExported({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracesExported({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracesExported({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracesExported({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});

describe('JSON logs', () => {
  it('redact secrets at the top level and one level down, keep the rest', async () => {
    const code = `import { createLogger } from './src/telemetry/logger.ts';
const log = createLogger('redact-test');
log.info({ accessToken: 's1', pending: { codeVerifier: 's2', discordId: 'd1' }, x: { clientSecret: 's3', tokens: { accessToken: 's4' } }, req: { headers: { authorization: 'Bearer s5', host: 'h' } }, ticket: 's6', code: 'bad_url' }, 'probe');`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: new URL('..', import.meta.url).pathname, timeout: 30_000 });
    const line = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(JSON.stringify(line)).not.toMatch(/"s\d"|Bearer s5/);
    expect(line).toMatchObject({ msg: 'probe', code: 'bad_url', pending: { discordId: 'd1' }, req: { headers: { host: 'h' } } });
  });
});

describe('process failures', () => {
  it('logs an unhandled rejection as JSON and goes on; an uncaught exception is fatal', async () => {
    const code = (then: string) => `import { createLogger } from './src/telemetry/logger.ts';
import { logProcessFailures } from './src/telemetry/shutdown.ts';
logProcessFailures(createLogger('failures-test'));
${then}`;
    const opts = { cwd: new URL('..', import.meta.url).pathname, timeout: 30_000 };
    const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string; err?: { message: string } });
    const rejected = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code("void Promise.reject(new Error('boom'));\nsetTimeout(() => console.log(JSON.stringify({ msg: 'still alive', level: 'info' })), 50);")], opts);
    expect(lines(rejected.stdout).map((l) => [l.msg, l.err?.message ?? ''])).toEqual([['unhandled rejection', 'boom'], ['still alive', '']]);
    const thrown = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code("setTimeout(() => { throw new Error('kaboom'); }, 10);")], opts).catch((e: { code: number; stdout: string }) => e);
    expect((thrown as { code?: number }).code).toBe(1);
    expect(lines(thrown.stdout)[0]).toMatchObject({ msg: 'uncaught exception', level: 'fatal', err: { message: 'kaboom' } });
  });
});

describe('serviceNameFromEntry', () => {
  it('names a process after the workspace of its entry file', () => {
    expect(serviceNameFromEntry('/app/admin-api/src/server.ts')).toBe('admin-api');
    expect(serviceNameFromEntry('C:\\repo\\bot\\src\\index.ts')).toBe('bot');
    expect(serviceNameFromEntry('/usr/lib/node_modules/x.js')).toBe('engagement-tracker');
    expect(serviceNameFromEntry(undefined)).toBe('engagement-tracker');
  });
});
