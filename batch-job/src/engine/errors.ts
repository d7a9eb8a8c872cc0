/** The run must stop here and end as partial; the next run resumes from the saved watermarks. */
export class StopRun extends Error {
  constructor(
    readonly reason: 'rate_limited' | 'budget' | 'wall_time' | 'cancelled',
    message: string,
    /** Epoch ms when a rate-limit window reopens. */
    readonly resumeAt?: number,
  ) {
    super(message);
    this.name = 'StopRun';
  }
}

/** A member's OAuth grant is gone (revoked, refresh refused): mark needs_reconnect, skip, go on. */
export class TokenRevoked extends Error {
  constructor(readonly discordId: string, message: string) {
    super(message);
    this.name = 'TokenRevoked';
  }
}

/** Another process is refreshing this member's token and did not finish in time: skip them this run. */
export class TokenBusy extends TokenRevoked {
  constructor(discordId: string) {
    super(discordId, 'Another process is refreshing this member\'s X token.');
    this.name = 'TokenBusy';
  }
}
