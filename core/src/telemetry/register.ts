/**
 * Preload this before anything else (`node --import tsx --import @engagement-tracker/core/telemetry/register`)
 * so instrumentations patch http, express and ioredis as they load. ESM modules are hooked through
 * import-in-the-middle.
 */
import { register } from 'node:module';
import { startTelemetry } from './otel';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'engagement-tracker' });
