import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { trace, SpanStatusCode, type Span } from '@opentelemetry/api';

export interface Telemetry {
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/**
 * Query parameters never recorded on spans: OpenTelemetry's own list plus the OAuth ones this product
 * carries in URLs (authorization codes, states, /connect tickets, tokens).
 */
export const REDACTED_QUERY_PARAMS = [
  'sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token',
  'code', 'state', 'ticket', 'token', 'access_token', 'refresh_token', 'code_verifier', 'client_secret',
];

/**
 * Start OpenTelemetry tracing for a process (http, express, ioredis, undici, pino log correlation).
 * Exports over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER) is set; otherwise
 * spans are created but not exported. OTEL_SDK_DISABLED=true turns it off. Metrics are served by
 * prom-client, not by the SDK.
 */
export function startTelemetry(opts: { serviceName: string; spanProcessors?: SpanProcessor[] }): Telemetry {
  if (current) return current;
  if (process.env.OTEL_SDK_DISABLED === 'true') return (current = { shutdown: async () => {} });
  process.env.OTEL_SERVICE_NAME ??= opts.serviceName;
  const exporterConfigured = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_TRACES_EXPORTER;
  if (!exporterConfigured && !opts.spanProcessors) process.env.OTEL_TRACES_EXPORTER = 'none';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? ''),
        redactedQueryParams: REDACTED_QUERY_PARAMS,
        redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
      }),
      new ExpressInstrumentation(),
      new IORedisInstrumentation({ requireParentSpan: true }),
      // fetch: same redaction as http (the instrumentation has no option for it, so the hook overrides).
      new UndiciInstrumentation({ startSpanHook: (req) => redactedUrlAttributes(req.origin, req.path) }),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  current = { shutdown: () => sdk.shutdown() };
  return current;
}

/** url.full and url.query with REDACTED_QUERY_PARAMS values replaced, when the URL carries any of them. */
export function redactedUrlAttributes(origin: string, path: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return {};
  }
  const hits = REDACTED_QUERY_PARAMS.filter((p) => url.searchParams.has(p));
  if (!hits.length) return {};
  for (const p of hits) url.searchParams.set(p, 'REDACTED');
  return { 'url.full': url.toString(), 'url.query': url.search };
}

/** Run `fn` inside a span named `name`; records errors and ends the span. */
export async function withSpan<T>(name: string, attributes: Record<string, string | number | boolean>, fn: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer('engagement-tracker').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The workspace of an entry file, as a service name: `/app/admin-api/src/server.ts` -> `admin-api`. */
export function serviceNameFromEntry(entry: string | undefined): string {
  return /([^/\\]+)[/\\]src[/\\][^/\\]+$/.exec(entry ?? '')?.[1] ?? 'engagement-tracker';
}
