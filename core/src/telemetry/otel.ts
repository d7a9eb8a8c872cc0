import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { trace, SpanStatusCode, type Span } from '@opentelemetry/api';

export interface Telemetry {
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/**
 * Whether this process exports spans: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or a traces exporter other than `none` (OTEL_TRACES_EXPORTER) is
 * configured, and OTEL_SDK_DISABLED is not `true`.
 */
export function tracesExported(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Start OpenTelemetry tracing for a process (http, express, ioredis, undici, pino log correlation),
 * exporting over OTLP, when spans go somewhere: an exporter is configured (`tracesExported`) or the
 * caller passes span processors. Otherwise the SDK is never loaded (it costs tens of megabytes at
 * import) and spans stay the API's no-ops. OTEL_SDK_DISABLED=true turns it off in every case. Metrics
 * are served by prom-client, not by the SDK.
 */
export async function startTelemetry(opts: { serviceName: string; spanProcessors?: SpanProcessor[] }): Promise<Telemetry> {
  if (current) return current;
  if (process.env.OTEL_SDK_DISABLED === 'true' || (!opts.spanProcessors && !tracesExported())) return (current = { shutdown: async () => {} });
  process.env.OTEL_SERVICE_NAME ??= opts.serviceName;
  const { startSdk } = await import('./otel-sdk');
  current = { shutdown: startSdk(opts) };
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

/** The workspace of an entry file, as a service name: `/app/admin-api/src/server.ts` -> `admin-api`. */
export function serviceNameFromEntry(entry: string | undefined): string {
  return /([^/\\]+)[/\\]src[/\\][^/\\]+$/.exec(entry ?? '')?.[1] ?? 'engagement-tracker';
}
