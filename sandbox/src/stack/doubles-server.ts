/**
 * The Discord and X doubles as one long-running process: the sandbox image, which the Helm chart runs as
 * a Deployment when `sandbox.enabled` (so `helm install` works without any credential).
 *   SANDBOX_HOST (0.0.0.0), SANDBOX_DISCORD_PORT (8090), SANDBOX_X_PORT (8091),
 *   SANDBOX_PUBLIC_HOST: the name the other pods use (the Service), for the gateway URL Discord hands out.
 * The doubles keep their state in memory. JSON logs on stdout; stops on SIGTERM.
 */
import { startSandboxDoubles } from './doubles';

const port = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${name} must be a port number`);
  return v;
};
const log = (msg: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'sandbox', msg, ...fields })}\n`);

const doubles = await startSandboxDoubles({
  host: process.env.SANDBOX_HOST ?? '0.0.0.0',
  discordPort: port('SANDBOX_DISCORD_PORT', 8090),
  xPort: port('SANDBOX_X_PORT', 8091),
  ...(process.env.SANDBOX_PUBLIC_HOST ? { publicHost: process.env.SANDBOX_PUBLIC_HOST } : {}),
  ...(process.env.ENGAGEMENT_CHANNEL ? { channel: process.env.ENGAGEMENT_CHANNEL } : {}),
});
log('sandbox doubles listening', { discord: doubles.env.DISCORD_API_BASE_URL, x: doubles.x.url, guildId: doubles.guildId });

const stop = (signal: string) => {
  log('stopping', { signal });
  doubles.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
