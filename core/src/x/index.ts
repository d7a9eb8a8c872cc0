export { xConfigSchema, xApiConfigFromEnv, type XApiConfig, type XEnv } from './config';
export { baseUrlPlugin, clientSettings, createXClientFactory, type XClientFactory } from './client';
export { X_SCOPES, generateAuthLink, exchangeCode, identify, identityLater, refreshTokens, XIdentityUnavailable, type AuthLink, type LinkedXAccount } from './oauth';
export { X_PRICES, LIKE_LISTINGS, xCost, type BilledKind } from './prices';
export { retryRead, transient } from './retry';
