import { Events, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction, type Client, type Interaction } from 'discord.js';
import { AppError, withSpan } from '@engagement-tracker/core';
import { BUTTONS, COMMANDS, UserError, type ReplyPayload } from '../commands';
import type { BotContext } from '../context';
import { parseCustomId } from '../custom-id';
import { PRECONDITIONS } from '../preconditions';
import { Responder, type ResponseMode } from '../responder';

const FRIENDLY_ERROR = 'Something went wrong on our side. Please try again in a minute; if it keeps happening, tell an admin.';

/**
 * The single entry for interactions: routes commands, buttons and autocomplete, formats every denial
 * and failure. `drain` (on SIGTERM) waits for the interactions in progress to answer their members,
 * so a deploy never leaves one "thinking" for ever.
 */
export function registerInteractionListener(client: Client, ctx: BotContext): { drain(timeoutMs: number): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  client.on(Events.InteractionCreate, (i) => {
    const p = handleInteraction(i, ctx).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  return {
    async drain(timeoutMs) {
      if (!inFlight.size) return;
      ctx.logger.info({ inFlight: inFlight.size }, 'waiting for interactions in progress before stopping');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...inFlight]), late]);
      clearTimeout(timer);
    },
  };
}

export async function handleInteraction(i: Interaction, ctx: BotContext): Promise<void> {
  const name = i.isChatInputCommand() || i.isAutocomplete() ? i.commandName : i.isButton() ? parseCustomId(i.customId).prefix : 'other';
  // One span per interaction (a no-op unless the OpenTelemetry preload is active).
  await withSpan(`discord.interaction ${name}`, { 'discord.interaction.type': i.type, 'discord.interaction.name': name, 'discord.guild_id': i.guildId ?? '' }, async () => {
    if (i.isChatInputCommand()) return runCommand(i, ctx);
    if (i.isAutocomplete()) return runAutocomplete(i, ctx);
    if (i.isButton()) return runButton(i, ctx);
  }).catch((err: unknown) => ctx.logger.error({ err, interactionId: i.id }, 'unhandled interaction error'));
}

async function runCommand(i: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const command = COMMANDS.get(i.commandName);
  const log = ctx.logger.child({ interactionId: i.id, command: i.commandName, userId: i.user.id, guildId: i.guildId });
  if (!command) {
    log.warn('unknown command');
    await i.reply({ content: 'This command is not available any more.', flags: 64 }).catch(() => undefined);
    return;
  }
  const responder = new Responder(i, command.ephemeral ? 'ephemeral' : 'reply', ctx.config.deferAfterMs, (err) => log.warn({ err }, 'defer failed'));
  recordDiscordFacts(i, ctx, log);
  await respond('command', i.commandName, responder, log, ctx, async () => {
    for (const name of command.preconditions ?? []) {
      const r = await PRECONDITIONS[name](i, ctx);
      if (!r.ok) return { denied: name, message: r.message };
    }
    return command.execute(i, ctx);
  });
}

/**
 * Eligibility rules look at the member's time in the server and roles: every command in the
 * server refreshes them (in the background; a failure only logs).
 */
function recordDiscordFacts(i: ChatInputCommandInteraction, ctx: BotContext, log: BotContext['logger']): void {
  const m = i.member;
  if (!i.inGuild() || !m || i.user.bot) return;
  const roleIds = (Array.isArray(m.roles) ? m.roles : [...m.roles.cache.keys()]).filter((r) => r !== i.guildId);
  const joined = 'joinedTimestamp' in m ? m.joinedTimestamp : m.joined_at ? Date.parse(m.joined_at) : null;
  void ctx.stores.moderation.setDiscordFacts(i.user.id, { roleIds, ...(joined && Number.isFinite(joined) ? { guildJoinedAt: joined } : {}) })
    .catch((err: unknown) => log.warn({ err }, 'could not record Discord facts'));
}

async function runButton(i: ButtonInteraction, ctx: BotContext): Promise<void> {
  const { prefix, args } = parseCustomId(i.customId);
  const handler = BUTTONS.get(prefix);
  const log = ctx.logger.child({ interactionId: i.id, button: prefix, userId: i.user.id });
  if (!handler) {
    log.warn({ customId: i.customId }, 'unknown button');
    await i.reply({ content: 'This button no longer works. Run the command again.', flags: 64 }).catch(() => undefined);
    return;
  }
  const mode: ResponseMode = handler.mode(i, args);
  const responder = new Responder(i, mode, ctx.config.deferAfterMs, (err) => log.warn({ err }, 'defer failed'));
  await respond('button', prefix, responder, log, ctx, () => handler.run(i, args, ctx));
}

async function runAutocomplete(i: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const command = COMMANDS.get(i.commandName);
  const started = Date.now();
  try {
    const choices = command?.autocomplete ? await command.autocomplete(i, ctx) : [];
    await i.respond(choices.slice(0, 25));
    ctx.metrics.interactions.inc({ kind: 'autocomplete', name: i.commandName, outcome: 'ok' });
  } catch (err) {
    ctx.metrics.interactions.inc({ kind: 'autocomplete', name: i.commandName, outcome: 'error' });
    ctx.logger.error({ err, interactionId: i.id, command: i.commandName }, 'autocomplete failed');
    if (!i.responded) await i.respond([]).catch(() => undefined);
  } finally {
    ctx.metrics.latency.observe({ kind: 'autocomplete', name: i.commandName }, (Date.now() - started) / 1000);
  }
}

type Work = () => Promise<ReplyPayload | { denied: string; message: string }>;

async function respond(kind: string, name: string, responder: Responder, log: BotContext['logger'], ctx: BotContext, work: Work): Promise<void> {
  let outcome = 'ok';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`interaction still working after ${ctx.config.commandTimeoutMs} ms`)), ctx.config.commandTimeoutMs);
  });
  try {
    const result = await Promise.race([work(), timeout]);
    if ('denied' in result) {
      outcome = 'denied';
      log.info({ precondition: result.denied }, 'interaction denied');
      await responder.sendPrivate(`⛔ ${result.message}`);
    } else {
      const { after, ...payload } = result;
      await responder.send(payload);
      if (after) await after().catch((err: unknown) => log.error({ err }, 'follow-up work after the reply failed'));
    }
  } catch (err) {
    if (err instanceof UserError || (err instanceof AppError && err.status < 500)) {
      outcome = 'refused';
      log.info({ code: err instanceof UserError ? err.code : err.code, reason: err.message }, 'interaction refused');
      await responder.sendPrivate(`⚠️ ${err.message}`).catch((e: unknown) => log.error({ err: e }, 'could not send refusal'));
    } else {
      outcome = 'error';
      log.error({ err }, 'interaction failed');
      await responder.sendPrivate(`❌ ${FRIENDLY_ERROR}`).catch((e: unknown) => log.error({ err: e }, 'could not send error reply'));
    }
  } finally {
    clearTimeout(timer);
    responder.cancel();
    ctx.metrics.interactions.inc({ kind, name, outcome });
    if (responder.firstResponseMs !== undefined) ctx.metrics.latency.observe({ kind, name }, responder.firstResponseMs / 1000);
    log.debug({ outcome, firstResponseMs: responder.firstResponseMs, deferred: responder.deferred }, 'interaction handled');
  }
}
