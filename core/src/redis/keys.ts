/**
 * Every Redis key the product uses, built in one place. The default prefix is `engagement`,
 * which gives the seed's layout (`engagement:connection:{discordId}`, ...). Tests pass a random
 * prefix so they can share one server.
 */
export class Keys {
  constructor(readonly prefix = 'engagement') {}

  private k(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
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
  /** zset week -> 0, the weeks that have a board */
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

  // Rules
  rule = (tier: number, kind: string) => this.k('rules', `${tier}-${kind}`);

  // Batch runs
  batch = (id: string) => this.k('batch', id);
  /** zset batchId -> startedAt */
  batches = () => this.k('batches');
  batchLock = () => this.k('lock', 'batch');
  batchFence = () => this.k('lock', 'batch', 'fence');
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
}
