import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Stores } from '@engagement-tracker/core';
import { ENTRY, Proc } from './proc';
import type { CaseResult } from './verdict';
import { seedCase, type World } from './world';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The batch program must end within this, whatever was done to it (it must never hang). */
export const BATCH_EXIT_MS = 150_000;

/**
 * One fault case: its own key prefix with the community seeded, the processes it starts, the faults
 * it injects, and the verdict: ledger check clean, no award lost or doubled against the scenario's
 * truth, no run left running, no failure recorded that no fault explains.
 */
export class Case {
  faults = 0;
  readonly procs: Proc[] = [];
  /** Job names and run ids of runs a fault hit: they may end failed. */
  private readonly faulted = new Set<string>();
  private n = 0;
  private readonly started = Date.now();

  private constructor(
    readonly world: World,
    readonly name: string,
    readonly prefix: string,
    readonly stores: Stores,
  ) {}

  static async open(world: World, name: string): Promise<Case> {
    const prefix = `f${name.replace(/[^a-z0-9]/gi, '').slice(0, 20)}${randomBytes(2).toString('hex')}`;
    const stores = world.stores(prefix);
    await seedCase(world, stores);
    return new Case(world, name, prefix, stores);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...this.world.env, REDIS_KEY_PREFIX: this.prefix, ...extra };
  }

  /** Start `batch-job run` (as a CronJob would with trigger schedule); `pauseAt` stops it at a phase. */
  batch(opts: { pauseAt?: string; trigger?: 'schedule' | 'manual' | 'cli'; env?: NodeJS.ProcessEnv; args?: string[] } = {}): Proc {
    const jobName = `${this.prefix}-${++this.n}`;
    const env = this.env({ BATCH_TRIGGER: opts.trigger ?? 'schedule', JOB_NAME: jobName, ...(opts.pauseAt ? { BATCH_PAUSE_AT: opts.pauseAt } : {}), ...opts.env });
    const p = new Proc(jobName, ENTRY.batch, ['run', ...(opts.args ?? [])], env);
    this.procs.push(p);
    return p;
  }

  /** Count a fault; the runs of the named processes (or run ids) may legitimately end failed. */
  fault(...hit: Array<Proc | string>): void {
    this.faults++;
    for (const h of hit) this.faulted.add(typeof h === 'string' ? h : h.name);
  }

  /**
   * The next scheduled runs, until one succeeds: each must end by itself (exit 0 or 4: succeeded,
   * skipped while a live run holds the lock, or partial) and never be recorded failed.
   */
  async settle(max = 8): Promise<Proc[]> {
    const out: Proc[] = [];
    for (let i = 0; i < max; i++) {
      const p = this.batch();
      out.push(p);
      const e = await p.exit(BATCH_EXIT_MS);
      const s = p.summary();
      if (e.code !== 0 && e.code !== 4) throw new Error(`${this.name}: the next scheduled run exited ${e.code ?? e.signal}: ${p.tail()}`);
      if (s?.status === 'succeeded') return out;
      await sleep(s?.status === 'skipped' ? 1000 : 0);
    }
    throw new Error(`${this.name}: no scheduled run succeeded in ${max} tries: ${out.at(-1)?.tail()}`);
  }

  /** Awards in the ledger as `tweetId|xUserId|kind`. */
  async awarded(): Promise<Set<string>> {
    const got = new Set<string>();
    for (const p of this.world.sc.tracked) {
      for (const l of await this.stores.ledger.logsForTweet(p.tweet.id)) {
        if (l.source === 'award' && !l.revokedAt) got.add(`${l.tweetId}|${this.world.xUserOf.get(l.discordId)}|${l.kind}`);
      }
    }
    return got;
  }

  /** Check the case's end state and append it to the suite's results. */
  async verdict(resultsFile: string): Promise<CaseResult> {
    const { drift } = await this.stores.ledger.checkConsistency();
    const doubled = drift.filter((d) => d.field.startsWith('count_') && d.actual > d.expected).reduce((a, d) => a + d.actual - d.expected, 0);
    const got = await this.awarded();
    const truth = this.world.truth;
    const runs = (await this.stores.batches.list({ offset: 0, limit: 500 })).items;
    const result: CaseResult = {
      case: this.name,
      faults: this.faults,
      lost: [...truth].filter((k) => !got.has(k)).length,
      doubled,
      extra: [...got].filter((k) => !truth.has(k)).length,
      drift: drift.length,
      leftRunning: runs.filter((r) => r.status === 'running').length,
      falseFailures: runs.filter((r) => r.status === 'failed' && !this.faulted.has(r.id) && !this.faulted.has(r.jobName ?? '')).length,
      seconds: Math.round((Date.now() - this.started) / 100) / 10,
    };
    await appendFile(resultsFile, `${JSON.stringify(result)}\n`);
    if (process.env.FAULTS_DEBUG) console.info(JSON.stringify({ result, runs: runs.map((r) => ({ id: r.id, job: r.jobName, status: r.status, error: r.error })) }));
    return result;
  }

  /** Kill whatever the case started and is still alive (after a failed assertion). */
  cleanup(): void {
    for (const p of this.procs) {
      p.signal('SIGCONT');
      p.signal('SIGKILL');
    }
  }
}

/** The verdict every case must reach. */
export const CLEAN = { lost: 0, doubled: 0, extra: 0, drift: 0, leftRunning: 0, falseFailures: 0 } as const;
