import { identify, identityLater, type LinkedXAccount, type Logger, type XClientFactory } from '@engagement-tracker/core';
import type { ConnectStore, HeldAuthorization } from './connect-store';

/** How a held authorization is asked about again (see HeldFinisher). */
export interface HeldRetryOptions {
  /** At most one `/2/users/me` per held authorization within this time, by the page or the server (default 15 s). */
  gapMs?: number;
  /** The server's own attempts start one gap after the callback and double up to this (default 2 min). */
  maxDelayMs?: number;
}

/** One attempt to finish a held authorization. */
export type HeldAttempt<T> =
  /** X named the owner and this attempt took the held tokens: `finish` has linked them. */
  | { kind: 'done'; value: T }
  /** X still does not answer (or was asked within the gap): the tokens stay held. */
  | { kind: 'waiting' }
  /** Nothing held any more: finished by another attempt, or expired. */
  | { kind: 'gone' }
  /** X refused the held tokens (e.g. 401: the member revoked the app meanwhile): dropped, nothing linked. */
  | { kind: 'refused' };

/**
 * Finishes linking when X's `/2/users/me` failed after the code exchange (the code is spent, the tokens
 * are held encrypted for `heldTtlMs`): the server asks X again by itself with backoff (one gap, then
 * doubling up to `maxDelayMs`) until the hold expires, and the member's page may ask too. Whoever asks,
 * X is asked at most once per gap per authorization (a Redis claim shared by every replica), and the
 * held tokens are taken atomically only once X has answered, so a failure never loses them and two
 * attempts never link twice. The server's timers live in this process only: a restart leaves the page's
 * own retries (and its "Try again" link).
 */
export class HeldFinisher<T> {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly gapMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly deps: {
      store: ConnectStore; x: XClientFactory; log: Logger;
      /** Links what X named (and tells the member); its result is the attempt's `value`. */
      finish: (held: HeldAuthorization, account: LinkedXAccount) => Promise<T>;
    },
    opts: HeldRetryOptions = {},
  ) {
    this.gapMs = opts.gapMs ?? 15_000;
    this.maxDelayMs = Math.max(this.gapMs, opts.maxDelayMs ?? 120_000);
  }

  /** Ask X once (unless someone did within the gap); link when it answers. `known`: the held record, when the caller read it already. */
  async attempt(nonce: string, known?: HeldAuthorization | null): Promise<HeldAttempt<T>> {
    const { store, x, log } = this.deps;
    const held = known !== undefined ? known : await store.heldTokens(nonce);
    if (!held) return { kind: 'gone' };
    if (!(await store.claimRetry(nonce, this.gapMs))) return { kind: 'waiting' };
    let account: LinkedXAccount;
    try {
      account = await identify(x, held.tokens, { attempts: 1 });
    } catch (err) {
      if (!identityLater(err)) {
        log.warn({ discordId: held.discordId, err: (err as Error).message }, 'X refused the held tokens at /2/users/me; dropped');
        return (await store.takeHeld(nonce)) ? { kind: 'refused' } : { kind: 'gone' };
      }
      log.warn({ discordId: held.discordId, err: (err as Error).message }, 'X /2/users/me still failing; tokens still kept');
      return { kind: 'waiting' };
    }
    const taken = await store.takeHeld(nonce);
    if (!taken) return { kind: 'gone' };
    return { kind: 'done', value: await this.deps.finish(taken, account) };
  }

  /** The server's own attempts for a held authorization, until it is finished or `untilMs` (epoch ms). */
  start(nonce: string, untilMs: number): void {
    const next = (delay: number) => {
      // After close, an attempt that was waiting on X then schedules no other.
      if (this.closed || Date.now() + delay >= untilMs) return;
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.attempt(nonce).then(
          (r) => {
            if (r.kind === 'waiting') next(Math.min(delay * 2, this.maxDelayMs));
          },
          (err: unknown) => this.deps.log.error({ err }, 'finishing a held X authorization failed; the member can still try again from the page'),
        );
      }, delay);
      t.unref();
      this.timers.add(t);
    };
    next(this.gapMs);
  }

  /** Stop the server's attempts (shutdown); held tokens stay for the page until they expire. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
