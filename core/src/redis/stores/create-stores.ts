import type { RedisClient } from '../connection';
import { TokenCipher } from '../../crypto/token-cipher';
import { Keys } from '../keys';
import { registerScripts } from '../script-loader';
import { AuditLog } from './audit-log';
import { BanStore } from './ban-store';
import { BatchStore } from './batch-store';
import { ConnectionStore } from './connection-store';
import type { BoardRetention } from '../../domain';
import type { StoreContext } from './context';
import { Housekeeping, type KeyRetention } from './housekeeping';
import { Leaderboard } from './leaderboard';
import { Ledger } from './ledger';
import { MemberStore } from './member-store';
import { OAuthStateStore } from './oauth-state-store';
import { ModerationStore } from './moderation-store';
import { PointsWatch } from './points-watch';
import { createRateLimiter } from './rate-limiter';
import { ReviewQueue } from './review-queue';
import { RoleGrantIntents } from './role-grant-intents';
import { RoleLeftAlone } from './role-left-alone';
import { RoleRewardStore } from './role-reward-store';
import { RulesStore } from './rules-store';
import { SeasonStore } from './season-store';
import { TweetStore } from './tweet-store';

export interface Stores {
  ctx: StoreContext;
  keys: Keys;
  members: MemberStore;
  connections: ConnectionStore;
  tweets: TweetStore;
  ledger: Ledger;
  leaderboard: Leaderboard;
  rules: RulesStore;
  seasons: SeasonStore;
  roleRewards: RoleRewardStore;
  roleIntents: RoleGrantIntents;
  roleLeftAlone: RoleLeftAlone;
  batches: BatchStore;
  audit: AuditLog;
  oauthStates: OAuthStateStore;
  points: PointsWatch;
  bans: BanStore;
  review: ReviewQueue;
  moderation: ModerationStore;
  rateLimit: ReturnType<typeof createRateLimiter>;
  housekeeping: Housekeeping;
}

export function createStores(redis: RedisClient, opts: { prefix?: string; encryptionKey: string | Buffer; now?: () => number; keys?: Keys; boardRetention?: BoardRetention; keyRetention?: KeyRetention }): Stores {
  const keys = opts.keys ?? new Keys(opts.prefix);
  const ctx: StoreContext = { redis, keys, run: registerScripts(redis), now: opts.now ?? Date.now, cipher: new TokenCipher(opts.encryptionKey) };
  const ledger = new Ledger(ctx, opts.boardRetention);
  const moderation = new ModerationStore(ctx);
  return {
    ctx,
    keys,
    members: new MemberStore(ctx),
    connections: new ConnectionStore(ctx, moderation),
    tweets: new TweetStore(ctx),
    ledger,
    leaderboard: new Leaderboard(ctx),
    rules: new RulesStore(ctx),
    seasons: new SeasonStore(ctx),
    roleRewards: new RoleRewardStore(ctx),
    roleIntents: new RoleGrantIntents(ctx),
    roleLeftAlone: new RoleLeftAlone(ctx),
    batches: new BatchStore(ctx),
    audit: new AuditLog(ctx),
    oauthStates: new OAuthStateStore(ctx),
    points: new PointsWatch(ctx),
    bans: new BanStore(ctx),
    review: new ReviewQueue(ctx, ledger),
    moderation,
    rateLimit: createRateLimiter(ctx),
    housekeeping: new Housekeeping(ctx, opts.keyRetention),
  };
}
