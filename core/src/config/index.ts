export { loadConfig, ConfigError, env } from './load';
export { baseSchema, boardRetentionOf, keyRetentionOf, hasRealCredentials, isRemoteUrl, type BaseConfig, type CredentialSettings } from './base';
export { resolveMode, credential, SANDBOX_CREDENTIALS, CREDENTIAL_VARIABLES, type Mode } from './mode';
