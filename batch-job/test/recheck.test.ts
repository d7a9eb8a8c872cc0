import { describe, expect, it } from 'vitest';
import { SIM_END, simSuite, type Sim } from './harness';

const suite = simSuite();
const WINDOW = 15 * 60_000;
const HOUR = 3_600_000;

/** Members whose lookup X answered since `from`. */
const lookedUp = (sim: Sim, from: number) => sim.x.requestsTo('users_lookup').filter((r) => r.at >= from && r.status === 200).flatMap((r) => (r.query.ids ?? '').split(','));

/** Link a new X account under `discordId`. */
async function linkLate(sim: Sim, discordId: string): Promise<string> {
  const user = sim.sc.state.addUser({ username: `late_${discordId.slice(-4)}` });
  const t = sim.sc.state.issueTokens(user.id);
  await sim.stores.connections.link({
    discordId, displayName: 'late', xUserId: user.id, handle: user.username, scopes: t.scopes,
    tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken!, expiresAt: t.expiresAt, scopes: t.scopes },
  });
  return user.id;
}

describe('free member re-checks under a tight users_lookup limit', () => {
  it('leaves re-checks the window cannot carry waiting without ending partial, and ends partial when a due member cannot be looked up', async () => {
    // 250 members, one users_lookup request (100 members) per 15-minute window
    const sim = await suite.start({ seed: 71, members: 250, tweets: 12, quietAfterEnd: true }, { limits: { users_lookup: { app: 1 } } });
    await sim.advanceTo(SIM_END);
    // the first runs look everyone up (new members are due) and end partial until all are read
    let out = await sim.run();
    expect(out.status).toBe('partial');
    for (let i = 0; i < 12 && (out.status !== 'succeeded' || out.stats.lookupDue_billedToday !== out.stats.membersLinked); i++) {
      sim.sc.advanceTo(sim.sc.now() + WINDOW);
      out = await sim.run();
    }
    expect(out.status).toBe('succeeded');
    // before each run below an outsider likes a post leaving the window late (its likes are read from
    // the members' side, so runs look members up; nobody comes due for it)
    const members = new Set(sim.sc.members.map((m) => m.id));
    const late: string[] = [];
    for (const p of sim.sc.tracked) if ((await sim.stores.tweets.get(p.tweet.id))!.submittedAt + 24 * HOUR > sim.sc.now() + 8 * HOUR && !members.has(p.tweet.authorId)) late.push(p.tweet.id);
    expect(late.length).toBeGreaterThan(0);
    const outsider = sim.sc.state.addUser({ username: 'outsider' });
    let likes = 0;
    const next = () => {
      sim.sc.advanceTo(sim.sc.now() + WINDOW);
      sim.sc.state.like(outsider.id, late[likes++ % late.length]!);
    };

    // everyone was looked up today and nothing is due: a run with a fresh window re-checks what the
    // window carries (one request: 100 members) and leaves the other 150 waiting without ending partial
    next();
    let from = sim.sc.now();
    out = await sim.run();
    expect(out.stats.lookupDue_billedToday).toBe(250);
    expect(out.status).toBe('succeeded');
    expect(out.stats.stopped_rate_limited ?? 0).toBe(0);
    expect(lookedUp(sim, from)).toHaveLength(100);
    expect(out.stats.recheckWaiting).toBe(150);

    // a member linking (due: never looked up) whose id sorts before the others is looked up with the first
    // 99 re-checks; the re-checks left wait
    const linkThenRun = async (discordId: string) => {
      next();
      const xUserId = await linkLate(sim, discordId);
      from = sim.sc.now();
      out = await sim.run();
      expect(out.stats.lookupDue_new).toBe(1);
      return xUserId;
    };
    const early = await linkThenRun('100000000000000000');
    expect(out.status).toBe('succeeded');
    expect(lookedUp(sim, from)).toContain(early);

    // one whose id sorts after them: the first request (sent before any headers said what the window
    // allows) goes to the first re-checks; then the headers say the window is used up, the other re-checks
    // give way, and the due member cannot be looked up: partial
    const lateId = await linkThenRun('999999999999999999');
    expect(out.status).toBe('partial');
    expect(out.stats.stopped_rate_limited).toBe(1);
    expect(out.error).toMatch(/users_lookup/);
    expect(lookedUp(sim, from)).toHaveLength(100);
    expect(lookedUp(sim, from)).not.toContain(lateId);
    // the next runs resume the sweep after the members covered: partial until the due member is looked up
    from = sim.sc.now();
    for (let i = 0; i < 4 && !lookedUp(sim, from).includes(lateId); i++) {
      expect(out.status).toBe('partial');
      next();
      out = await sim.run();
    }
    expect(lookedUp(sim, from)).toContain(lateId);
    expect(out.status).toBe('succeeded');
  });
});
