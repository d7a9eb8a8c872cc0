import type { Router } from 'express';
import type { Logger, Stores } from '@engagement-tracker/core';
import type { AdminApiConfig } from './config';
import type { ApiTokenStore } from './auth/api-token-store';
import type { DiscordOAuth } from './auth/discord-oauth';
import type { SessionStore } from './auth/session-store';
import type { ManualRuns } from './runs/manual-runs';

/** Everything the HTTP app needs, built by server.ts (or a test). */
export interface AppDeps {
  config: AdminApiConfig;
  stores: Stores;
  sessions: SessionStore;
  tokens: ApiTokenStore;
  /** Absent when Discord OAuth is not configured (sandbox). */
  discord?: DiscordOAuth;
  runs: ManualRuns;
  log: Logger;
  /** Extra routers mounted before the API (e.g. the X-connect router at /connect/x). */
  mounts?: Array<{ path: string; router: Router }>;
}
