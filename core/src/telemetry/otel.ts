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
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') }),
      new ExpressInstrumentation(),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  current = { shutdown: () => sdk.shutdown() };
  return current;
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
