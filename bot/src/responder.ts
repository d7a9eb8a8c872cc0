import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type InteractionEditReplyOptions, type InteractionReplyOptions } from 'discord.js';
import type { ReplyPayload } from './commands/types';

type Repliable = ChatInputCommandInteraction | ButtonInteraction;
export type ResponseMode = 'reply' | 'ephemeral' | 'update';

/**
 * Answers one interaction inside Discord's 3-second deadline: if no answer is ready after
 * `deferAfterMs`, it defers (reply or update) and later edits the deferred response.
 */
export class Responder {
  private timer: NodeJS.Timeout | undefined;
  private deferring: Promise<unknown> | undefined;
  /** ms from creation to the first response sent to Discord. */
  firstResponseMs: number | undefined;
  private readonly started = Date.now();

  constructor(private readonly i: Repliable, private readonly mode: ResponseMode, deferAfterMs: number, private readonly onDeferError: (err: unknown) => void) {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const p = this.mode === 'update' && this.i.isButton() ? this.i.deferUpdate() : this.i.deferReply(this.mode === 'reply' ? {} : { flags: MessageFlags.Ephemeral });
      this.deferring = p.then(() => this.markSent(), (err: unknown) => this.onDeferError(err));
    }, deferAfterMs);
  }

  get deferred(): boolean {
    return this.deferring !== undefined;
  }

  async send(payload: Omit<ReplyPayload, 'after'>): Promise<void> {
    this.cancel();
    if (this.deferring) await this.deferring;
    const body = payload as InteractionEditReplyOptions;
    if (this.i.deferred || this.i.replied) {
      await this.i.editReply(body);
      return;
    }
    if (this.mode === 'update' && this.i.isButton()) await this.i.update(body as Parameters<ButtonInteraction['update']>[0]);
    else await this.i.reply({ ...(payload as InteractionReplyOptions), ...(this.mode === 'reply' ? {} : { flags: MessageFlags.Ephemeral }) });
    this.markSent();
  }

  /**
   * A private message to the member (refusals, errors): an ephemeral reply, or when the answer was
   * already deferred publicly, an ephemeral follow-up after removing the public placeholder.
   */
  async sendPrivate(content: string): Promise<void> {
    this.cancel();
    if (this.deferring) await this.deferring;
    const flags = MessageFlags.Ephemeral;
    if (!this.i.deferred && !this.i.replied) {
      await this.i.reply({ content, flags, components: [], embeds: [] });
      this.markSent();
    } else if (this.mode === 'reply' || (this.mode === 'update' && this.i.isButton())) {
      if (this.mode === 'reply') await this.i.deleteReply().catch(() => undefined);
      await this.i.followUp({ content, flags });
    } else {
      await this.i.editReply({ content, embeds: [], components: [] });
    }
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private markSent(): void {
    this.firstResponseMs ??= Date.now() - this.started;
  }
}
