export * from './domain';
export * from './config';
export * from './telemetry/logger';
export * from './telemetry/health';
export * from './telemetry/shutdown';
export { Keys } from './redis/keys';
