import { periodBounds, periodOf } from '@engagement-tracker/core';
import type { AutocompleteInteraction } from 'discord.js';
import type { BotContext } from '../../context';
import { isPeriodBoard, WINDOW, type PeriodBoard } from '../../usecases/leaderboard-page';

type Choice = { name: string; value: string };
const MAX_CHOICES = 25; // Discord's limit
/** How many past periods to look for a board in (boards of older ones have expired by default). */
const LOOK_BACK = 100;
const DAY_MS = 86_400_000;

/** Autocomplete of /leaderboard: the `season` option offers seasons, the `period` option past periods of the chosen window. */
export async function leaderboardAutocomplete(i: AutocompleteInteraction, ctx: BotContext): Promise<Choice[]> {
  const focused = i.options.getFocused(true);
  const typed = focused.value.trim().toLowerCase();
  if (focused.name === 'period') {
    const window = i.options.getString('window');
    if (window !== null && !isPeriodBoard(window)) return [];
    return periodChoices(ctx, window ?? 'weekly', typed);
  }
  return seasonChoices(ctx, typed);
}

async function seasonChoices(ctx: BotContext, typed: string): Promise<Choice[]> {
  const order = { running: 0, ended: 1, scheduled: 2 } as const;
  return (await ctx.stores.seasons.list())
    .filter((s) => s.name.toLowerCase().includes(typed))
    .sort((a, b) => order[a.status] - order[b.status] || b.startsAt - a.startsAt)
    .slice(0, MAX_CHOICES)
    .map((s) => ({ name: `${s.name} (${s.status})`.slice(0, 100), value: s.id }));
}

/** The current period and the past ones that still have a board, newest first, matched on their label. */
async function periodChoices(ctx: BotContext, board: PeriodBoard, typed: string): Promise<Choice[]> {
  const now = ctx.now();
  const current = periodOf(WINDOW[board], now);
  const kept = await ctx.stores.leaderboard.periods(board, LOOK_BACK);
  const ids = [current, ...kept.filter((p) => p !== current)];
  return ids
    .map((id) => ({ name: periodLabel(board, id, id === current), value: id }))
    .filter((c) => c.name.toLowerCase().includes(typed))
    .slice(0, MAX_CHOICES);
}

const fmt = (at: number, opts: Intl.DateTimeFormatOptions) => new Date(at).toLocaleDateString('en-GB', { timeZone: 'UTC', ...opts });

/** "2026-W47 · 16 Nov – 22 Nov", "2026-11-28 · Saturday", "2026-11 · November 2026"; the current one says so. */
export function periodLabel(board: PeriodBoard, id: string, current: boolean): string {
  const { start, end } = periodBounds(WINDOW[board], id)!;
  const span =
    board === 'daily'
      ? fmt(start, { weekday: 'long' })
      : board === 'weekly'
        ? `${fmt(start, { day: 'numeric', month: 'short' })} – ${fmt(end - DAY_MS, { day: 'numeric', month: 'short' })}`
        : fmt(start, { month: 'long', year: 'numeric' });
  const now = { daily: 'today', weekly: 'this week', monthly: 'this month' }[board];
  return `${id} · ${span}${current ? ` (${now})` : ''}`;
}
