import { parseArgs } from 'node:util';
import { parseDuration } from './engine';

export const USAGE = `Usage:
  batch-job run [--dry-run] [--tweet <id>] [--window 24h]   run once and exit
  batch-job schedule                                        run on BATCH_SCHEDULE until SIGTERM

Exit codes of "run": 0 succeeded, or skipped (another live run holds the lock: recorded as
"skipped", nothing done), 1 failed (including Redis unreachable past its grace), 2 usage error, 4 partial (stopped by a rate limit, BATCH_MAX_BILLED_RESOURCES or BATCH_MAX_WALL_SECONDS;
the next run resumes where it stopped).`;

export type Command =
  | { cmd: 'run'; dryRun: boolean; tweetId?: string; windowMs?: number }
  | { cmd: 'schedule' }
  | { cmd: 'help' };

export class UsageError extends Error {}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, tweet: { type: 'string' }, window: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { cmd: 'help' };
  const [cmd = 'run', ...rest] = positionals;
  if (rest.length) throw new UsageError(`Unexpected arguments: ${rest.join(' ')}`);
  if (cmd === 'schedule') return { cmd: 'schedule' };
  if (cmd !== 'run') throw new UsageError(`Unknown command "${cmd}"`);
  if (values.tweet !== undefined && !/^\d{1,20}$/.test(values.tweet)) throw new UsageError('--tweet takes a post id (digits)');
  let windowMs: number | undefined;
  if (values.window !== undefined) {
    try {
      windowMs = parseDuration(values.window);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (windowMs <= 0 || windowMs > 7 * 86_400_000) throw new UsageError('--window must be between 1s and 7d');
  }
  return { cmd: 'run', dryRun: values['dry-run'] ?? false, ...(values.tweet ? { tweetId: values.tweet } : {}), ...(windowMs ? { windowMs } : {}) };
}
