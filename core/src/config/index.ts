export { loadConfig, ConfigError, env } from './load';
export { baseSchema, hasRealCredentials, isRemoteUrl, type BaseConfig, type CredentialSettings } from './base';
