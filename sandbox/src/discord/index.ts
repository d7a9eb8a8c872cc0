/**
 * The Discord double: REST + gateway on 127.0.0.1 that the real discord.js client talks to.
 *
 *   const discord = await startDiscordDouble({ guilds: [{ roles: [{ name: 'Admins', permissions: PERMISSIONS.ADMINISTRATOR }],
 *     channels: [{ name: 'general' }, { name: 'engagement-tracker' }], members: [{ id: '1001', username: 'alice', roles: ['Admins'] }] }] });
 *   new Client({ intents, rest: { api: discord.url } }).login(discord.botToken);
 *   const r = await discord.interact({ as: '1001', command: 'stats' });   // INTERACTION_CREATE, awaits the callback
 *   (await r.reply()).embeds;                                             // the final message (after a defer: the edit)
 *   await discord.interact({ as: '1001', button: 'lb:weekly:1:1001', message: msgId });
 *   discord.messages('engagement-tracker'); discord.dms('1001'); discord.sent;  // what the bot sent
 *   discord.failRest({ path: /^\/channels\//, status: 429 }); discord.gateway.dropConnections();
 * Interactions not answered within 3 s reject with InteractionFailedError ("The application did not respond").
 * OAuth2 for the admin console: GET /oauth2/authorize?login_as=<id> auto-approves; POST /api/v10/oauth2/token;
 * GET /api/v10/users/@me (Bearer); GET /api/v10/guilds/:guild/members/:user (Bot) returns roles.
 */
export { startDiscordDouble, type DiscordDouble, type DiscordDoubleOptions, type RecordedCall, type RestFault } from './double';
export {
  InteractionFailedError,
  CallbackType,
  InteractionType,
  EPHEMERAL,
  type InteractAction,
  type InteractOptions,
  type InteractionResult,
  type MessageView,
} from './interactions';
export { DoubleState, PERMISSIONS, snowflake, type GuildSeed, type MemberSeed, type RoleSeed, type RegisteredCommand } from './state';
export { OAuthDouble } from './oauth';
