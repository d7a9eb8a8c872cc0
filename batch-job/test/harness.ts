import { randomBytes } from 'node:crypto';
import { createLogger, createStores, createXClientFactory, type RedisClient, type Stores, type XClientFactory } from '@engagement-tracker/core';
import { buildScenario, memberDiscordId, seedStores, startXDouble, type LimitOverrides, type Scenario, type ScenarioOptions, type XDouble } from '@engagement-tracker/sandbox/x';
import { startTestRedis, type TestRedis } from '@engagement-tracker/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { runBatch, type BatchDeps, type BatchOptions, type BatchOutcome } from '../src/engine';

export const SIM_KEY = 'b'.repeat(64);
/** Scenarios end at noon UTC so a few hours of runs stay in one billing day. */
export const SIM_END = Date.UTC(2026, 10, 24, 12, 0, 0);

export interface Sim {
  sc: Scenario;
  x: XDouble;
  stores: Stores;
  factory: XClientFactory;
  /** Move simulated time to t, apply engagement up to then, submit posts submitted by then. */
  advanceTo(t: number): Promise<void>;
  /** One run on the simulated clock (`deps.sleep` may move it; by default sleeping takes no time). */
  run(opts?: Partial<BatchOptions>, deps?: Pick<BatchDeps, 'sleep'>): Promise<BatchOutcome>;
  /** Awards in the ledger as `tweetId|xUserId|kind`. */
  awarded(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** A scenario on the X double, the product's stores on a fresh key prefix, both on one clock. */
export async function startSim(redis: RedisClient, scenario: Omit<ScenarioOptions, 'end'> & { end?: number }, opts: { limits?: LimitOverrides; prefix?: string; timeoutMs?: number; notify?: BatchDeps['notify'] } = {}): Promise<Sim> {
  const sc = buildScenario({ end: SIM_END, ...scenario });
  const x = await startXDouble({ state: sc.state, ...(opts.limits ? { limits: opts.limits } : {}) });
  const stores = createStores(redis, { prefix: opts.prefix ?? `s${randomBytes(4).toString('hex')}`, encryptionKey: SIM_KEY, now: () => sc.now() });
  const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client', bearerToken: 'sandbox-bearer-token', timeoutMs: opts.timeoutMs ?? 5000 });
  const logger = createLogger('batch-job', process.env.LOG_LEVEL ?? 'silent');
  const byDiscord = new Map(sc.members.map((m, i) => [memberDiscordId(i), m.id]));
  await seedStores(stores, sc);
  return {
    sc, x, stores, factory,
    async advanceTo(t) {
      sc.advanceTo(t);
      await seedStores(stores, sc);
    },
    run: (o = {}, d = {}) => runBatch({ stores, x: factory, logger, now: () => sc.now(), sleep: async () => {}, ...(opts.notify ? { notify: opts.notify } : {}), ...d }, { trigger: 'cli', backoffMs: 1, ...o }),
    async awarded() {
      const out = new Set<string>();
      for (const p of sc.tracked) {
        for (const l of await stores.ledger.logsForTweet(p.tweet.id)) {
          if (l.source === 'award' && !l.revokedAt) out.add(`${l.tweetId}|${byDiscord.get(l.discordId)}|${l.kind}`);
        }
      }
      return out;
    },
    close: () => x.close(),
  };
}

/**
 * A real Redis for the tests of one file (started in beforeAll) and the simulation a test starts on it; afterAll
 * closes the simulation and stops Redis. Starting another simulation closes the one before.
 */
export function simSuite(): { start(...args: Parameters<typeof startSim> extends [unknown, ...infer R] ? R : never): Promise<Sim> } {
  let server: TestRedis | undefined;
  let sim: Sim | undefined;
  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterAll(async () => {
    await sim?.close();
    await server?.stop();
  });
  return {
    async start(...args) {
      if (!server) throw new Error('The suite Redis starts in beforeAll: start a simulation inside tests.');
      await sim?.close();
      sim = await startSim(server.client(), ...args);
      return sim;
    },
  };
}

export function score(truth: Set<string>, got: Set<string>): { recall: number; precision: number; missed: string[]; extra: string[] } {
  const missed = [...truth].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !truth.has(k));
  return {
    recall: truth.size ? (truth.size - missed.length) / truth.size : 1,
    precision: got.size ? (got.size - extra.length) / got.size : 1,
    missed,
    extra,
  };
}
