import { deny, ok, type Precondition } from './types';

/** Commands that act on the community only work inside the server, not in DMs. */
export const GuildOnly: Precondition = (i) => (i.inGuild() ? ok : deny('This command only works inside the server.'));
