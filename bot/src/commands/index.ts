import { connect } from './account/connect';
import { disconnect } from './account/disconnect';
import { ban } from './admin/ban';
import { tier } from './admin/tier';
import { unban } from './admin/unban';
import { leaderboard } from './stats/leaderboard';
import { leaderboardPageButtons } from './stats/leaderboard.buttons';
import { stats } from './stats/stats';
import { submit } from './tweets/submit';
import type { BotCommand, ButtonHandler } from './types';

/** Every slash command, by name. */
export const COMMANDS: ReadonlyMap<string, BotCommand> = new Map([connect, disconnect, submit, stats, leaderboard, tier, ban, unban].map((c) => [c.data.name, c]));

/** Every button handler, by custom-id prefix. */
export const BUTTONS: ReadonlyMap<string, ButtonHandler> = new Map([leaderboardPageButtons].map((h) => [h.prefix, h]));

export type { BotCommand, ButtonHandler, ReplyPayload } from './types';
export { UserError } from './types';
