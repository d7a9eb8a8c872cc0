/**
 * The OpenTelemetry SDK and its instrumentations: loaded by `startTelemetry` (otel.ts) only when spans
 * go somewhere, because importing them costs a process tens of megabytes it never gives back.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { REDACTED_QUERY_PARAMS, redactedUrlAttributes } from './redact-url';

/** Start the SDK (http, express, ioredis, undici, pino log correlation); returns its shutdown. */
export function startSdk(opts: { serviceName: string; spanProcessors?: SpanProcessor[] }): () => Promise<void> {
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
  return () => sdk.shutdown();
}
