import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The parts of an ioredis client (standalone or cluster) the metrics need. */
interface RedisLike {
  ping(): Promise<string>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  sendCommand(command: { promise: Promise<unknown> }, ...rest: never[]): unknown;
}

/**
 * Redis as this process sees it: reachable (a PING at scrape time), command latency, errors. Every
 * command the client sends is timed (one timer per command; no label, so no cardinality).
 */
export function instrumentRedis(registry: Registry, redis: RedisLike): void {
  const duration = new Histogram({
    name: 'engagement_tracker_redis_command_duration_seconds',
    help: 'Time from sending a Redis command to its answer, as this process sees it',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const errors = new Counter({ name: 'engagement_tracker_redis_errors_total', help: 'Redis connection errors and failed commands', labelNames: ['kind'], registers: [registry] });
  errors.inc({ kind: 'connection' }, 0);
  errors.inc({ kind: 'command' }, 0);
  new Gauge({
    name: 'engagement_tracker_redis_up',
    help: 'Whether Redis answered a PING within 1 s at scrape time',
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const ok = await Promise.race([
        redis.ping().then((p) => p === 'PONG', () => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 1000))),
      ]);
      clearTimeout(timer);
      this.set(ok ? 1 : 0);
    },
  });
  redis.on('error', () => errors.inc({ kind: 'connection' }));
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  redis.sendCommand = ((command: { promise: Promise<unknown> }, ...rest: unknown[]) => {
    const end = duration.startTimer();
    command.promise.then(
      () => end(),
      () => {
        end();
        errors.inc({ kind: 'command' });
      },
    );
    return send(command, ...rest);
  }) as RedisLike['sendCommand'];
}
