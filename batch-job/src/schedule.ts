import { Cron } from 'croner';

/**
 * The first run of a cron schedule at or after a time (epoch ms), in `timezone` (IANA; default the
 * process's, UTC in the images). A schedule with no run left answers the time itself.
 */
export function nextRunOf(expression: string, timezone?: string): (after: number) => number {
  const cron = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
  return (after) => cron.nextRun(new Date(after - 1))?.getTime() ?? after;
}
