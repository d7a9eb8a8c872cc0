import { SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { PERMISSIONS, startDiscordDouble, type DiscordDouble } from '../discord';
import { startXDouble, type XDouble } from '../x';

/** The Discord and X doubles of the sandbox stack, with a guild ready for the bot. */
export interface SandboxDoubles {
  discord: DiscordDouble;
  x: XDouble;
  guildId: string;
  adminRoleId: string;
  coreRoleId: string;
  /** The role the example role reward gives (below the bot's own role, which has Manage Roles). */
  regularRoleId: string;
  channel: string;
  /** Environment that points the product's processes at the doubles. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The X app of sandbox mode: the same defaults every process uses (core SANDBOX_CREDENTIALS). */
export const X_CLIENT_ID = SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID;
export const X_CLIENT_SECRET = SANDBOX_CREDENTIALS.TWITTER_CLIENT_SECRET;
export const X_BEARER = SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN;

/** A fixed id for the Regular role: the example role reward in Redis names it, and Redis outlives the doubles. */
export const REGULAR_ROLE_ID = '1300000000000000001';

export interface SandboxDoublesOptions {
  channel?: string;
  /** Listen address of both doubles (default 127.0.0.1). */
  host?: string;
  discordPort?: number;
  xPort?: number;
  /** Host name clients use to reach the doubles (a Service name in a cluster); default: `host`. */
  publicHost?: string;
}

export async function startSandboxDoubles(opts: SandboxDoublesOptions = {}): Promise<SandboxDoubles> {
  const channel = opts.channel ?? 'engagement-tracker';
  const host = opts.host ?? '127.0.0.1';
  const discord = await startDiscordDouble({
    host,
    ...(opts.discordPort ? { port: opts.discordPort } : {}),
    ...(opts.publicHost && opts.discordPort ? { publicUrl: `http://${opts.publicHost}:${opts.discordPort}` } : {}),
    guilds: [
      {
        name: 'Sandbox Community',
        // Bottom to top: the bot's role sits above the Regular role it gives as a reward (Discord's hierarchy).
        roles: [{ name: 'Admin' }, { name: 'Core' }, { id: REGULAR_ROLE_ID, name: 'Regular' }, { name: 'Engagement Tracker', permissions: PERMISSIONS.MANAGE_ROLES }],
        botRoles: ['Engagement Tracker'],
        channels: [{ name: 'general' }, { name: channel }],
        members: [
          { username: 'sandbox-admin', globalName: 'Sandbox Admin', roles: ['Admin'] },
          { username: 'sandbox-core', globalName: 'Sandbox Core', roles: ['Core'] },
        ],
      },
    ],
  });
  const x = await startXDouble({ host, ...(opts.xPort ? { port: opts.xPort } : {}), appTokens: [X_BEARER], clients: { [X_CLIENT_ID]: X_CLIENT_SECRET } });
  const guild = discord.state.guild();
  const roleId = (name: string) => {
    for (const r of guild.roles.values()) if (r.name === name) return r.id;
    throw new Error(`sandbox guild has no ${name} role`);
  };
  const adminRoleId = roleId('Admin');
  const coreRoleId = roleId('Core');
  const regularRoleId = roleId('Regular');
  const env: Record<string, string> = {
    SANDBOX: 'true',
    ...discord.env(),
    DISCORD_GUILD_ID: guild.id,
    ENGAGEMENT_CHANNEL: channel,
    ADMIN_ROLE_IDS: adminRoleId,
    CORE_ROLE_IDS: coreRoleId,
    TWITTER_API_BASE_URL: x.url,
    TWITTER_OAUTH_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
    TWITTER_CLIENT_ID: X_CLIENT_ID,
    TWITTER_CLIENT_SECRET: X_CLIENT_SECRET,
    TWITTER_BEARER_TOKEN: X_BEARER,
  };
  return {
    discord,
    x,
    guildId: guild.id,
    adminRoleId,
    coreRoleId,
    regularRoleId,
    channel,
    env,
    async close() {
      await Promise.allSettled([discord.close(), x.close()]);
    },
  };
}
