/**
 * Every Redis key the product uses, built in one place (as BullMQ's queue-keys does for a queue).
 * Nothing else builds a key name: stores, scripts' callers, the admin API and the batch engine all
 * ask this class. The default prefix is `engagement`. Tests pass a random prefix so they can share
 * one server.
 *
 * Every key starts with the prefix as a Redis Cluster hash tag, `{engagement}:...`, so all keys of
 * one deployment live in one hash slot and every multi-key script and MULTI works on a cluster
 * (as BullMQ does per queue). Deployments from before the tag move their keys with
 * `npm run migrate:keys`.
 */
export class Keys {
  /** `{prefix}`: the hash tag every key starts with (`prefix` in the layout of earlier releases). */
  readonly tag: string;

  /** `hashTag: false` gives the layout of releases before the hash tag (read by ledger:check and migrate:keys only). */
  constructor(readonly prefix = 'engagement', opts: { hashTag?: boolean } = {}) {
    if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`Key prefix must be letters, digits, _ or - (got "${prefix}")`);
    this.tag = opts.hashTag === false ? prefix : `{${prefix}}`;
  }

  private k(...parts: string[]): string {
    return [this.tag, ...parts].join(':');
  }

  // Members and X links
  member = (discordId: string) => this.k('member', discordId);
  /** zset discordId -> joinedAt */
  members = () => this.k('members');
  connection = (discordId: string) => this.k('connection', discordId);
  /** string: lower-cased handle -> discordId (the seed's reverse lookup) */
  twitterHandle = (handle: string) => this.k('twitter', handle.toLowerCase());
  /** string: X user id -> discordId */
  twitterId = (xUserId: string) => this.k('twitterid', xUserId);
  /** zset discordId -> linkedAt, of linked members */
  connections = () => this.k('connections');
  /** string: encrypted OAuth tokens of a member */
  tokens = (discordId: string) => this.k('tokens', discordId);

  // Tweets
  tweet = (tweetId: string) => this.k('tweet', tweetId);
  /** string: duplicate check, tweet id -> submitter */
  tweetId = (tweetId: string) => this.k('tweetid', tweetId);
  /** zset tweetId -> submittedAt */
  tweetsRecent = () => this.k('tweets', 'recent');
  /** zset tweetId -> change number: every script that changes a tweet raises it (the tweet index follows it) */
  tweetsChanged = () => this.k('tweets', 'changed');
  /** string: the highest change number trimmed from tweetsChanged (a reader behind it reloads everything) */
  tweetsChangedTrimmed = () => this.k('tweets', 'changed', 'trimmed');

  // Ledger
  log = (logId: string) => this.k('log', logId);
  logSeq = () => this.k('log', 'seq');
  userLogs = (discordId: string) => this.k('user', discordId, 'logs');
  tweetLogs = (tweetId: string) => this.k('tweet', tweetId, 'logs');
  batchLogs = (batchId: string) => this.k('batch', batchId, 'logs');
  /** zset discordId -> points, all time */
  leaderboardAllTime = () => this.k('leaderboard', 'alltime');
  /** zset discordId -> points, for an ISO week like 2026-W48 */
  leaderboardWeekly = (week: string) => this.k('leaderboard', 'weekly', week);
  /** zset discordId -> points, for a UTC day like 2026-11-29 */
  leaderboardDaily = (day: string) => this.k('leaderboard', 'daily', day);
  /** zset discordId -> points, for a UTC month like 2026-11 */
  leaderboardMonthly = (month: string) => this.k('leaderboard', 'monthly', month);
  /** zset week -> 0, the weeks that have a board (trimmed to the kept weeks by the award scripts) */
  leaderboardWeeks = () => this.k('leaderboard', 'weeks');
  /** hash UTC day -> points awarded that day */
  pointsDaily = () => this.k('stats', 'points', 'daily');
  /** string: idempotency marker of a manual adjustment */
  adjustmentKey = (key: string) => this.k('adjustment', key);

  // Moderation: bans, held-back engagements, eligibility and reply rules
  /** hash discordId -> JSON { reason, actor, at } of banned members */
  bans = () => this.k('bans');
  /** hash: one engagement held back (not awarded) with its reason and review status */
  held = (tweetId: string, discordId: string, kind: string) => this.k('held', `${tweetId}:${discordId}:${kind}`);
  /** zset held id -> createdAt, of held items still waiting for review (the review queue) */
  heldOpen = () => this.k('held', 'open');
  /** zset held id -> createdAt, every item held back for one member */
  userHeld = (discordId: string) => this.k('user', discordId, 'held');
  /** string JSON: admin-set rules of one moderation area (eligibility, replies, linking) */
  settings = (area: string) => this.k('settings', area);
  /** hash: what the bot last saw of the member in the server (guildJoinedAt, roleIds, at) */
  discordFacts = (discordId: string) => this.k('member', discordId, 'discord');
  /** string JSON { xUserId, at }: the member's last X link that ended (relink cooldown) */
  relink = (discordId: string) => this.k('relink', discordId);

  // Seasons
  /** hash: one season (name, startsAt, endsAt, multiplierPct, caps, categories, rewardTop) */
  season = (id: string) => this.k('season', id);
  /** zset seasonId -> startsAt */
  seasons = () => this.k('seasons');
  /** hash seasonId -> {"s":startsAt,"e":endsAt,"c":[categories]}: what the clash check reads */
  seasonWindows = () => this.k('seasons', 'windows');
  /** zset discordId -> season points (multiplier and caps applied) */
  leaderboardSeason = (id: string) => this.k('leaderboard', 'season', id);
  /** hash: season points used per member and post (p:{tweetId}:{discordId}) and per member and day (d:{day}:{discordId}), for the caps the season has; expires a week after the season ends */
  seasonUsage = (id: string) => this.k('season', id, 'usage');

  // Role rewards
  /** hash: one role reward rule (name, roleId, condition JSON, removeWhenLost, enabled, createdAt, updatedAt) */
  roleRule = (id: string) => this.k('rolerule', id);
  /** zset ruleId -> createdAt */
  roleRules = () => this.k('rolerules');
  /** hash ruleId -> "roleId|removeWhenLost": what the same-role check reads */
  roleRuleRoles = () => this.k('rolerules', 'roles');
  /** set: Discord ids the bot granted the rule's role to (the only ones it may remove it from) */
  roleRuleHolders = (id: string) => this.k('rolerule', id, 'holders');
  /** hash: what the bot last found applying the rule (state, problem, message, lastSyncAt, lastChangeAt) */
  roleRuleStatus = (id: string) => this.k('rolerule', id, 'status');
  /** string JSON: the guild's roles (and why the bot could not give one), as the bot last read them (console role picker) */
  discordRoles = () => this.k('discord', 'roles');
  /** zset discordId -> when the bot was about to grant the rule's role (crash convergence; expires after a day) */
  roleRulePending = (id: string) => this.k('rolerule', id, 'pending');
  /** string: the lease of the bot replica running the role sync (one at a time) */
  roleSyncLease = () => this.k('lock', 'role-sync');
  /** zset `roleId:discordId` -> until when the role sync leaves the member alone for the role (a human's grant, or gone) */
  roleLeftAlone = () => this.k('rolesync', 'leftalone');

  // Rules
  rule = (tier: number, kind: string) => this.k('rules', `${tier}-${kind}`);

  // Batch runs
  batch = (id: string) => this.k('batch', id);
  /** zset batchId -> startedAt */
  batches = () => this.k('batches');
  batchLock = () => this.k('lock', 'batch');
  batchFence = () => this.k('lock', 'batch', 'fence');
  /** string: guard against double-clicked manual runs (admin API) */
  manualStartLock = () => this.k('lock', 'batch', 'manual-start');
  /** string: the Job watcher's claim on a Kubernetes Job it recorded */
  jobWatch = (jobName: string) => this.k('jobwatch', jobName);
  /** hash: running totals of finished runs (runs by trigger and status, X requests, 429s, cost, ...), for metrics */
  batchCounters = () => this.k('stats', 'batch');
  /** hash UTC day -> estimated X cost (USD) of the runs that ended that day */
  xCostDaily = () => this.k('stats', 'xcost', 'daily');

  // Console sign-in
  /** string: a pending Discord sign-in (OAuth state), read once by the callback */
  oauthState = (state: string) => this.k('oauth', 'state', state);

  // Audit and rate limits
  /** stream of admin actions */
  audit = () => this.k('audit');
  rateLimit = (scope: string, id: string, window: number) => this.k('ratelimit', scope, id, String(window));

  // Console sign-in, API tokens and the X linking flow (admin API)
  /** string: a console session, by the SHA-256 of its cookie value */
  session = (idHash: string) => this.k('session', idHash);
  apiToken = (id: string) => this.k('apitoken', id);
  /** zset token id -> createdAt */
  apiTokens = () => this.k('apitokens');
  /** string: a pending X authorization (PKCE verifier), read once by the callback */
  connectPending = (nonce: string) => this.k('connect', 'pkce', nonce);
  /** string: marks a /connect ticket as spent */
  connectUsed = (nonce: string) => this.k('connect', 'used', nonce);
  /** string: the tokens of an authorization whose /2/users/me failed, kept (encrypted) to finish linking */
  connectHeld = (nonce: string) => this.k('connect', 'held', nonce);
  /** string: set while /2/users/me is being asked again for a held authorization (one attempt per gap) */
  connectRetry = (nonce: string) => this.k('connect', 'retry', nonce);

  // The batch engine's watermarks
  wmTweet = (tweetId: string) => this.k('xwm', 'tweet', tweetId);
  wmMember = (discordId: string) => this.k('xwm', 'member', discordId);
  wmEngaged = (tweetId: string) => this.k('xwm', 'engaged', tweetId);
  /** hash discordId -> JSON { id, text }: a member's first reply to a post, judged by the reply rules */
  wmReplies = (tweetId: string) => this.k('xwm', 'replies', tweetId);
  wmPending = () => this.k('xwm', 'pending');
  wmSweep = () => this.k('xwm', 'sweep');
  /** string: per-member token-refresh lock */
  wmRefresh = (discordId: string) => this.k('xwm', 'refresh', discordId);
  /** hash tweetId -> epoch ms of the run that last saw the post's like count move */
  wmLikeMoved = () => this.k('xwm', 'likemoved');
  /** hash `tweetId|kind` (retweet, reply, quote) -> epoch ms of the run that last saw that count move */
  wmPostsMoved = () => this.k('xwm', 'postsmoved');
  /** hash `member:<id>` / `post:<id>` -> JSON { endpoint, status, reason, at, runId } of reads X refused */
  wmRefused = () => this.k('xwm', 'refused');
  /** set of resource ids already billed by X on a UTC day (`post`, `user`, `like`) */
  wmBilled = (day: string, kind: string) => this.k('xwm', 'billed', day, kind);
  /** string: the member was told once that this link's grant died */
  wmReconnectTold = (discordId: string, linkedAt: number) => this.k('xwm', 'reconnect-told', discordId, String(linkedAt));
  /** string: epoch ms when the watermark hash `xwm:<hash>` (likemoved, postsmoved, refused) last dropped its old entries */
  wmTrimmed = (hash: string) => this.k('xwm', 'trimmed', hash);
}

export type KeyName = { [K in keyof Keys]: Keys[K] extends (...a: never[]) => string ? K : never }[keyof Keys];

/** One row of the README's key table: which builder, its placeholder arguments, the type and what it holds. */
export interface KeyDoc {
  key: KeyName;
  args?: string[];
  type: 'string' | 'hash' | 'zset' | 'set' | 'stream';
  contents: string;
}

/**
 * The key layout as documented in the README (`npm run docs:keys` writes the table from this list,
 * and a test fails when the README, this list and the builders above disagree).
 */
export const KEY_DOCS: KeyDoc[] = [
  { key: 'member', args: ['discordId'], type: 'hash', contents: 'discordId, displayName, tier, totalPoints, count_like/retweet/reply/quote, joinedAt, updatedAt' },
  { key: 'members', type: 'zset', contents: 'discordId by joinedAt' },
  { key: 'connection', args: ['discordId'], type: 'hash', contents: "the member's X link: xUserId, handle, scopes, status (`linked`/`needs_reconnect`), linkedAt; xCreatedAt, followers, protected, factsAt (eligibility)" },
  { key: 'tokens', args: ['discordId'], type: 'string', contents: "the member's OAuth tokens, AES-256-GCM encrypted, bound to the member id" },
  { key: 'twitterHandle', args: ['handle'], type: 'string', contents: 'lower-cased handle → discordId (reverse lookup)' },
  { key: 'twitterId', args: ['xUserId'], type: 'string', contents: 'X user id → discordId (one X account per member and the reverse)' },
  { key: 'connections', type: 'zset', contents: 'linked discordIds by linkedAt' },
  { key: 'tweet', args: ['tweetId'], type: 'hash', contents: 'submission: url, authorId, authorHandle, submitterId, category, status, submittedAt, createdAt, public metrics, pointsAwarded, engagementCount' },
  { key: 'tweetId', args: ['tweetId'], type: 'string', contents: 'duplicate check (by tweet id, not URL) → submitter' },
  { key: 'tweetsRecent', type: 'zset', contents: 'tweetId by submittedAt' },
  { key: 'tweetsChanged', type: 'zset', contents: 'tweetId by change number: raised by every script that changes the tweet (readers re-read what changed since they last looked); the last 10,000 change numbers are kept (trimmed after each batch run and by `migrate:keys`)' },
  { key: 'tweetsChangedTrimmed', type: 'string', contents: 'the highest change number trimmed from `tweets:changed`: a tweet index that applied less reloads every tweet' },
  { key: 'log', args: ['logId'], type: 'hash', contents: 'one ledger entry: `award:<tweetId>:<discordId>:<kind>` (tier, points, week, day, batchId, revokedAt; inside a season `season` = `<seasonId>:<seasonPoints>:<multiplierPct>`, or on logs of earlier releases seasonId, seasonPoints, seasonMultiplierPct) or `adj:<n>` (points, reason, actor)' },
  { key: 'logSeq', type: 'string', contents: 'adjustment log sequence' },
  { key: 'userLogs', args: ['discordId'], type: 'zset', contents: "the member's log ids by time" },
  { key: 'tweetLogs', args: ['tweetId'], type: 'zset', contents: "the tweet's award log ids by time" },
  { key: 'batchLogs', args: ['batchId'], type: 'zset', contents: 'award log ids written by one batch run (removed with the run record; each log keeps its batch id)' },
  { key: 'leaderboardAllTime', type: 'zset', contents: 'discordId → points' },
  { key: 'leaderboardWeekly', args: ['YYYY-Www'], type: 'zset', contents: 'discordId → points for an ISO week (UTC); expires after the kept weeks' },
  { key: 'leaderboardWeeks', type: 'zset', contents: 'weeks that have a board (the kept weeks; older ones are dropped as boards expire)' },
  { key: 'leaderboardDaily', args: ['YYYY-MM-DD'], type: 'zset', contents: 'discordId → points for a UTC day; expires after the kept days' },
  { key: 'leaderboardMonthly', args: ['YYYY-MM'], type: 'zset', contents: 'discordId → points for a UTC month; expires after the kept months' },
  { key: 'leaderboardSeason', args: ['seasonId'], type: 'zset', contents: 'discordId → season points (multiplier and caps applied); frozen once the season ends' },
  { key: 'pointsDaily', type: 'hash', contents: 'UTC day → points given; days older than `STATS_KEEP_DAYS` (400) are dropped after each batch run and by `migrate:keys`' },
  { key: 'adjustmentKey', args: ['key'], type: 'string', contents: 'idempotency marker of a manual adjustment' },
  { key: 'bans', type: 'hash', contents: 'banned discordId → `{ reason, actor, at }`' },
  { key: 'held', args: ['tweetId', 'discordId', 'kind'], type: 'hash', contents: 'an engagement held back (not awarded): reason, code, detail, reply text, status (`held`/`awarded`/`approved`/`dismissed`), batchId, resolvedBy' },
  { key: 'heldOpen', type: 'zset', contents: 'the review queue: held ids still waiting, by time' },
  { key: 'userHeld', args: ['discordId'], type: 'zset', contents: 'every held id of a member, by time' },
  { key: 'settings', args: ['area'], type: 'string', contents: 'JSON settings of one area (`moderation`: eligibility rules, reply rules, relink cooldown)' },
  { key: 'discordFacts', args: ['discordId'], type: 'hash', contents: 'what the bot last saw of the member in the server: guildJoinedAt, roleIds, at (eligibility)' },
  { key: 'relink', args: ['discordId'], type: 'string', contents: "the member's last X link that ended `{ xUserId, handle, at }` (relink cooldown)" },
  { key: 'rule', args: ['tier', 'kind'], type: 'string', contents: 'points for a tier and kind (unset = default)' },
  { key: 'season', args: ['seasonId'], type: 'hash', contents: 'one season: name, startsAt, endsAt, multiplierPct, capPerPost, capPerDay, categories, rewardTop, announcedAt' },
  { key: 'seasons', type: 'zset', contents: 'seasonId by startsAt' },
  { key: 'seasonWindows', type: 'hash', contents: 'seasonId → `{ s, e, c }` (start, end, categories): what the clash check reads' },
  { key: 'seasonUsage', args: ['seasonId'], type: 'hash', contents: 'season points used per member and post (`p:<tweetId>:<discordId>`) and per member and day (`d:<day>:<discordId>`), only for the caps the season has; expires 7 days after the season ends (the award script sets it with each write; nothing reads it after the end)' },
  { key: 'roleRule', args: ['ruleId'], type: 'hash', contents: 'one role reward rule: name, roleId, condition (JSON: points or rank), removeWhenLost, enabled, createdAt, updatedAt' },
  { key: 'roleRules', type: 'zset', contents: 'role reward rule ids by creation time' },
  { key: 'roleRuleRoles', type: 'hash', contents: 'ruleId → `roleId\\|removeWhenLost`: what the same-role check reads' },
  { key: 'roleRuleHolders', args: ['ruleId'], type: 'set', contents: 'Discord ids the bot granted the rule\'s role to (the only members it may take the role from)' },
  { key: 'discordRoles', type: 'string', contents: "the guild's roles (id, name, position, managed, and why the bot could not give one), as the bot last read them: the console's role picker" },
  { key: 'roleRuleStatus', args: ['ruleId'], type: 'hash', contents: 'what the bot last found applying the rule: state, problem, message, lastSyncAt, lastChangeAt' },
  { key: 'roleRulePending', args: ['ruleId'], type: 'zset', contents: 'Discord ids the bot was about to grant the rule\'s role to, by time (tells its own interrupted grant from a human\'s; expires after a day)' },
  { key: 'roleSyncLease', type: 'string', contents: 'the bot replica running the role sync (a random token, with an expiry renewed while it runs): one sync at a time' },
  { key: 'roleLeftAlone', type: 'zset', contents: '`roleId:discordId` → until when (ms) the role sync leaves the member alone for the role: a human gave it (never taken over or removed) or the member left; shared by bot replicas, entries pass after 10 minutes, at most 50,000, the key expires with its last entry' },
  { key: 'batch', args: ['batchId'], type: 'hash', contents: 'batch run: status, trigger, startedAt, endedAt, heartbeatAt, progress, stats, error, jobName; removed with its award-log index once older than `BATCH_RUNS_KEEP_DAYS` (90) or beyond the newest `BATCH_RUNS_KEEP` (10,000) runs, unless still running or started in the last two days (the anomaly check reads their award logs)' },
  { key: 'batches', type: 'zset', contents: 'run ids by start time (the run records kept)' },
  { key: 'batchLock', type: 'string', contents: '`runId\\|fence`, with an expiry' },
  { key: 'batchFence', type: 'string', contents: 'fencing-token counter' },
  { key: 'batchCounters', type: 'hash', contents: 'running totals of finished runs (runs by trigger and status, X requests, 429s, cost, ...), for metrics' },
  { key: 'xCostDaily', type: 'hash', contents: 'UTC day → estimated X cost (USD) of the runs that ended that day; days older than `STATS_KEEP_DAYS` (400) are dropped like those of `stats:points:daily`' },
  { key: 'manualStartLock', type: 'string', contents: 'guard against double-clicked manual runs' },
  { key: 'jobWatch', args: ['job'], type: 'string', contents: "the Job watcher's claim on a Job it recorded" },
  { key: 'audit', type: 'stream', contents: 'admin actions: actor, action, target, before, after, at' },
  { key: 'rateLimit', args: ['scope', 'id', 'windowMs'], type: 'zset', contents: 'sliding-window rate limit hits' },
  { key: 'session', args: ['sha256'], type: 'string', contents: 'console session (the cookie holds the unhashed id)' },
  { key: 'oauthState', args: ['state'], type: 'string', contents: 'pending Discord sign-in' },
  { key: 'apiToken', args: ['id'], type: 'string', contents: 'an API token (hashed) and its role, scopes and expiry' },
  { key: 'apiTokens', type: 'zset', contents: 'API token ids by creation time' },
  { key: 'connectPending', args: ['nonce'], type: 'string', contents: 'a pending X authorization (PKCE verifier), read once by the callback' },
  { key: 'connectUsed', args: ['nonce'], type: 'string', contents: 'marks a `/connect` link as spent (expires with it)' },
  { key: 'connectHeld', args: ['nonce'], type: 'string', contents: 'tokens of an authorization X granted but whose `/2/users/me` failed (encrypted), kept for 10 minutes so the member can finish linking' },
  { key: 'connectRetry', args: ['nonce'], type: 'string', contents: 'a held authorization was just asked about again (`/2/users/me`): the next attempt, by the page or the server, waits for it to expire (one every 15 s at most)' },
  { key: 'wmTweet', args: ['tweetId'], type: 'hash', contents: "batch watermark: the post's counts at the last complete run (expires after 8 days)" },
  { key: 'wmMember', args: ['discordId'], type: 'hash', contents: "batch watermark: the member's like/post counts, newest likes and posts seen, paging positions of cut-short reads" },
  { key: 'wmEngaged', args: ['tweetId'], type: 'set', contents: 'engagements already found for a post (`discordId\\|kind`)' },
  { key: 'wmReplies', args: ['tweetId'], type: 'hash', contents: "members' first replies to a post, discordId → `{ id, text }` (judged by the reply rules; expires after 8 days)" },
  { key: 'wmPending', type: 'set', contents: 'engagements found but not yet awarded (survives a crash between finding and awarding)' },
  { key: 'wmSweep', type: 'string', contents: 'cursor and snapshot of a member sweep that a partial run left unfinished' },
  { key: 'wmRefresh', args: ['discordId'], type: 'string', contents: 'per-member token-refresh lock (refresh tokens are single-use)' },
  { key: 'wmLikeMoved', type: 'hash', contents: "tweetId → when the post's like count was last seen to move (expires after 8 days)" },
  { key: 'wmPostsMoved', type: 'hash', contents: "`tweetId\\|kind` → when the post's repost / reply / quote count was last seen to move (expires after 8 days)" },
  { key: 'wmRefused', type: 'hash', contents: '`member:<id>` / `post:<id>` → a read X refused: endpoint, status, reason, at, runId (cleared by a later good read)' },
  { key: 'wmBilled', args: ['YYYY-MM-DD', 'kind'], type: 'set', contents: 'ids X already billed that UTC day (`post`, `user`, `like`), so cost estimates count each once (2 days)' },
  { key: 'wmReconnectTold', args: ['discordId', 'linkedAt'], type: 'string', contents: 'the member was told (once per link) that their X grant died (90 days)' },
  { key: 'wmTrimmed', args: ['hash'], type: 'string', contents: 'when (on the run\'s clock) the watermark hash `likemoved`, `postsmoved` or `refused` last dropped its entries older than 8 days: at most once an hour (expires after the hour)' },
];

/** The README's key table, as markdown, for a prefix. */
export function keyTableMarkdown(prefix = 'engagement'): string {
  const keys = new Keys(prefix);
  const rows = KEY_DOCS.map((d) => {
    const build = keys[d.key] as (...a: string[]) => string;
    return `| \`${build(...(d.args ?? []).map((a) => `<${a}>`))}\` | ${d.type} | ${d.contents} |`;
  });
  return ['| key | type | contents |', '|---|---|---|', ...rows].join('\n');
}
