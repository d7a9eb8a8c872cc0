import { Cron } from 'croner';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry for one process, with Node's default metrics and a `service` label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'engagement_tracker_' });
  return registry;
}

/** Seconds between two runs of a cron expression (the shortest gap among the next few). */
export function scheduleIntervalSeconds(expression: string): number {
  const next = new Cron(expression, { paused: true }).nextRuns(4).map((d) => d.getTime());
  const gaps = next.slice(1).map((t, i) => (t - next[i]!) / 1000);
  return gaps.length ? Math.min(...gaps) : 0;
}
