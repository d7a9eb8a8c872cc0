import { AdminOnly } from './AdminOnly';
import { EngagementChannel } from './EngagementChannel';
import { GuildOnly } from './GuildOnly';
import { LinkedAccount } from './LinkedAccount';
import { NotBanned } from './NotBanned';
import type { Precondition } from './types';

/** Every precondition by name; commands list names, so a typo fails to compile. */
export const PRECONDITIONS = { GuildOnly, AdminOnly, EngagementChannel, LinkedAccount, NotBanned } satisfies Record<string, Precondition>;
export type PreconditionName = keyof typeof PRECONDITIONS;
export type { Precondition, PreconditionResult } from './types';
