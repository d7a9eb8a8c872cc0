/**
 * Preload this before anything else so instrumentations patch http, express and ioredis as they load:
 *   tsx --import @engagement-tracker/core/telemetry/register bot/src/index.ts
 * The service name is OTEL_SERVICE_NAME, or else the workspace of the entry file (bot, admin-api, ...).
 * When no traces exporter is configured (see `tracesExported`) it does nothing: neither the loader hook
 * nor the SDK is loaded, so a process without an OTLP endpoint does not pay their memory.
 */
import { serviceNameFromEntry, startTelemetry, tracesExported } from './otel';

if (tracesExported()) {
  const { registerInstrumentationHooks } = await import('./hooks');
  await registerInstrumentationHooks(() => startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceNameFromEntry(process.argv[1]) }));
}
