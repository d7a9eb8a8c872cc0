export { loadConfig, ConfigError, env } from './load';
export { baseSchema, type BaseConfig } from './base';
