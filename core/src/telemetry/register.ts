/**
 * Preload this before anything else so instrumentations patch http, express and ioredis as they load:
 *   tsx --import @engagement-tracker/core/telemetry/register bot/src/index.ts
 * The service name is OTEL_SERVICE_NAME, or else the workspace of the entry file (bot, admin-api, ...).
 */
import { registerInstrumentationHooks } from './hooks';
import { serviceNameFromEntry, startTelemetry } from './otel';

await registerInstrumentationHooks(() => {
  startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceNameFromEntry(process.argv[1]) });
});
