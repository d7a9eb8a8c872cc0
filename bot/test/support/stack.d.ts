import { type Stores } from '@engagement-tracker/core';
import { type TestRedisServer } from '@engagement-tracker/core/testing';
import { type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { type XDouble } from '@engagement-tracker/sandbox/x';
import { type BotProcess } from './bot-process';
export declare const IDS: {
    readonly guild: "900000000000000001";
    readonly adminRole: "910000000000000001";
    readonly coreRole: "910000000000000002";
    readonly alice: "920000000000000001";
    readonly bob: "920000000000000002";
    readonly carol: "920000000000000003";
    readonly dave: "920000000000000004";
};
export interface Stack {
    redis: TestRedisServer;
    discord: DiscordDouble;
    x: XDouble;
    stores: Stores;
    bot: BotProcess;
    /** Base URL of the admin API's connect routes (a minimal express app mounting createConnectXRouter). */
    adminUrl: string;
    env: Record<string, string>;
    close(): Promise<void>;
}
/**
 * Everything the bot talks to, on 127.0.0.1: a real redis-server, the Discord double (one guild with
 * an admin role, #general and #engagement-tracker, four members), the X double, and the connect
 * routes of the admin API. Then commands are registered with the real script and the real bot
 * process is started against it all.
 */
export declare function startStack(opts?: {
    env?: Record<string, string>;
}): Promise<Stack>;
