export { loadConfig, ConfigError, env } from './load';
export { baseSchema, isRemoteUrl, type BaseConfig } from './base';
