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
export { DoubleState, PERMISSIONS, snowflake, type GuildSeed, type MemberSeed, type RegisteredCommand } from './state';
export { OAuthDouble } from './oauth';
