import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiReadOnly } from 'twitter-api-v2';
import type { XApiConfig } from './config';

const X_HOSTS = /^https:\/\/(api\.x\.com|api\.twitter\.com)(?=\/|$)/;

/**
 * twitter-api-v2 has no base-URL option: this plugin rewrites every request (paging, OAuth token
 * calls included) from api.x.com to `baseUrl`, and sets a default timeout.
 */
export function baseUrlPlugin(baseUrl: string, timeoutMs?: number): ITwitterApiClientPlugin {
  const base = baseUrl.replace(/\/+$/, '');
  const rewrite = base !== 'https://api.x.com';
  return {
    onBeforeRequestConfig({ params }) {
      if (rewrite) params.url = params.url.replace(X_HOSTS, base);
      if (timeoutMs && params.timeout === undefined) params.timeout = timeoutMs;
    },
  };
}

/** Client settings for a base URL: http:// needs an http.Agent (the library always uses https.request). */
export function clientSettings(cfg: XApiConfig, extraPlugins: ITwitterApiClientPlugin[] = []) {
  const isHttp = cfg.baseUrl.startsWith('http://');
  return {
    plugins: [baseUrlPlugin(cfg.baseUrl, cfg.timeoutMs), ...extraPlugins],
    httpAgent: isHttp ? new HttpAgent({ keepAlive: true, maxSockets: 16 }) : new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
  };
}

/** Builds real twitter-api-v2 clients pointed at the configured X API (or the sandbox double). */
export interface XClientFactory {
  readonly config: XApiConfig;
  /** App-only (bearer token) read client. Throws when no bearer token is configured. */
  app(): TwitterApiReadOnly;
  /** A member's OAuth 2.0 user-context client. */
  user(accessToken: string): TwitterApi;
  /** The OAuth 2.0 client (client id + secret) for auth links, code exchange and refresh. */
  oauth(): TwitterApi;
}

export function createXClientFactory(cfg: XApiConfig, extraPlugins: ITwitterApiClientPlugin[] = []): XClientFactory {
  const settings = clientSettings(cfg, extraPlugins);
  let app: TwitterApiReadOnly | undefined;
  let oauth: TwitterApi | undefined;
  return {
    config: cfg,
    app() {
      if (!cfg.bearerToken) throw new Error('TWITTER_BEARER_TOKEN is not set: app-only X API calls need it.');
      return (app ??= new TwitterApi(cfg.bearerToken, settings).readOnly);
    },
    user(accessToken) {
      return new TwitterApi(accessToken, settings);
    },
    oauth() {
      if (!cfg.clientId) throw new Error('TWITTER_CLIENT_ID is not set: OAuth 2.0 needs it.');
      return (oauth ??= new TwitterApi({ clientId: cfg.clientId, ...(cfg.clientSecret ? { clientSecret: cfg.clientSecret } : {}) }, settings));
    },
  };
}
