import type { Service } from './services';

export interface SupervisorOptions {
  /** First restart delay; doubles after each crash up to maxDelayMs. Default 1 s. */
  baseDelayMs?: number;
  /** Default 30 s. */
  maxDelayMs?: number;
  /** A process that stayed up this long is healthy again: the delay starts over. Default 60 s. */
  healthyAfterMs?: number;
  /** Give up after this many crashes in a row without a healthy run. Default 8. */
  maxCrashes?: number;
  /** Told of every crash and restart (the stack logs it and echoes it to the terminal). */
  onRestart?: (e: { service: string; code: number | null; signal: NodeJS.Signals | null; restart: number; delayMs: number }) => void;
  now?: () => number;
}

/** A supervised process: the current incarnation, restarted when it crashes. */
export interface Supervised extends Service {
  /** Restarts so far. */
  restarts(): number;
  /** Resolves when the supervisor gives up on a process that keeps crashing. */
  readonly gaveUp: Promise<{ service: string; code: number | null }>;
}

/**
 * Keep a process running: when it exits on its own (a crash, a `kill -9`), start it again after a
 * backoff (1 s, 2 s, 4 s ... 30 s; back to 1 s once it has stayed up a minute) and report it. A process
 * that crashes `maxCrashes` times in a row is given up on (`gaveUp`). stop() ends supervision first.
 */
export async function supervise(name: string, start: () => Promise<Service>, o: SupervisorOptions = {}): Promise<Supervised> {
  const now = o.now ?? Date.now;
  const base = o.baseDelayMs ?? 1000;
  let current = await start();
  let stopping = false;
  let restarts = 0;
  let crashes = 0;
  let startedAt = now();
  let pending: NodeJS.Timeout | undefined;
  let giveUp: (v: { service: string; code: number | null }) => void = () => undefined;
  const gaveUp = new Promise<{ service: string; code: number | null }>((r) => (giveUp = r));
  let endSupervision: () => void = () => undefined;
  const ended = new Promise<void>((r) => (endSupervision = r));

  const watch = (svc: Service) => {
    void svc.exited.then(({ code, signal }) => {
      if (stopping) return endSupervision();
      crashes = now() - startedAt >= (o.healthyAfterMs ?? 60_000) ? 1 : crashes + 1;
      if (crashes > (o.maxCrashes ?? 8)) {
        giveUp({ service: name, code });
        return endSupervision();
      }
      const delayMs = Math.min(base * 2 ** (crashes - 1), o.maxDelayMs ?? 30_000);
      restarts += 1;
      o.onRestart?.({ service: name, code, signal, restart: restarts, delayMs });
      pending = setTimeout(() => {
        pending = undefined;
        if (stopping) return endSupervision();
        start().then(
          (svc) => {
            current = svc;
            startedAt = now();
            if (stopping) void svc.stop();
            watch(svc);
          },
          () => {
            giveUp({ service: name, code: null });
            endSupervision();
          },
        );
      }, delayMs);
    });
  };
  watch(current);

  return {
    name,
    get pid() {
      return current.pid;
    },
    get exited() {
      return ended.then(() => current.exited);
    },
    running: () => current.running(),
    restarts: () => restarts,
    gaveUp,
    async stop(graceMs?: number) {
      stopping = true;
      if (pending) {
        clearTimeout(pending);
        pending = undefined;
        endSupervision();
      }
      await current.stop(graceMs);
      await ended;
    },
  };
}
