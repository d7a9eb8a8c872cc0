export { createDiscordDmNotifier, type MemberNotifier } from '@engagement-tracker/core';
