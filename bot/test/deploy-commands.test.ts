import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { runScript } from './support/bot-process';

let double: DiscordDouble;
const GUILD = '700000000000000001';

beforeAll(async () => {
  double = await startDiscordDouble({ guilds: [{ id: GUILD, channels: [{ name: 'general' }] }] });
});
afterAll(async () => {
  await double?.close();
});

const env = () => ({ SANDBOX: 'true', DISCORD_BOT_TOKEN: double.botToken, DISCORD_API_BASE_URL: double.url, LOG_LEVEL: 'info' });

describe('npm run register-commands', () => {
  it('registers every command for the guild when DISCORD_GUILD_ID is set, and globally otherwise', async () => {
    const guild = await runScript('bot/src/deploy-commands.ts', { ...env(), DISCORD_APPLICATION_ID: double.applicationId, DISCORD_GUILD_ID: GUILD });
    expect(guild.code).toBe(0);
    expect(guild.output).toContain(`"scope":"guild ${GUILD}"`);
    expect(double.state.commandsFor(GUILD).size).toBe(8);
    expect(double.state.globalCommands.size).toBe(0);
    // No application id: it is read from the token (GET /applications/@me).
    const global = await runScript('bot/src/deploy-commands.ts', { ...env(), DISCORD_GUILD_ID: '' });
    expect(global.code).toBe(0);
    expect(global.output).toContain('"scope":"global"');
    expect([...double.state.globalCommands.keys()].sort()).toEqual(['ban', 'connect', 'disconnect', 'leaderboard', 'stats', 'submit', 'tier', 'unban']);
    const submit = double.state.globalCommands.get('submit')!;
    expect(submit.options?.find((o) => o.name === 'category')?.autocomplete).toBe(true);
  });

  it('fails with a clear message on a bad token', async () => {
    const bad = await runScript('bot/src/deploy-commands.ts', { ...env(), DISCORD_BOT_TOKEN: 'wrong', DISCORD_APPLICATION_ID: double.applicationId, DISCORD_GUILD_ID: GUILD });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('registering commands failed');
  });
});
