/**
 * Preload this before anything else so instrumentations patch http, express and ioredis as they load
 * (ESM modules are hooked through import-in-the-middle):
 *   tsx --import @engagement-tracker/core/telemetry/register bot/src/index.ts
 * The service name is OTEL_SERVICE_NAME, or else the workspace of the entry file (bot, admin-api, ...).
 */
import { register } from 'node:module';
import { serviceNameFromEntry, startTelemetry } from './otel';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceNameFromEntry(process.argv[1]) });

