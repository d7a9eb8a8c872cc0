import { utcDay, type XUser } from '@engagement-tracker/sandbox/x';
import { describe, expect, it } from 'vitest';
import { References } from '../../bench/references';
import { referenceLines, stamp, targets, type ReferenceLine, type Row, type StrategyLine } from '../../bench/report';
import { community, HOUR, MIN, run, t0 } from './bound-community';

describe('bench report: the no-oracle bounds and the targets', () => {
  it('prints both bounds per run, per day and in total, with their parts and what each day owes on its own', () => {
    const c = community({ memberNames: ['submitter', 'busy'], author: 'brand' });
    const busy = c.members[1] as XUser;
    for (let k = 0; k < 12; k++) c.like(busy, c.untracked(30 * HOUR), t0 - 10 * HOUR + k * MIN);
    c.like('2000000001', c.post.id, t0 + 10 * MIN);
    c.like(busy, c.untracked(), t0 + 30 * MIN);
    const runs = [run, run + 24 * HOUR];
    c.sc.seal();
    const refs = new References(c.sc);
    for (const t of runs) {
      c.sc.advanceTo(t);
      refs.step(t);
    }
    const { lines, noOracleAt } = referenceLines('tiny', refs);
    const line = (s: string) => lines.find((l) => l.strategy === s)!;
    // Without step 5: the like ($0.006); with it, its read's first page ($0.06).
    expect(line('noOracle')).toMatchObject({ costUsd: 0.01, perDay: { '2026-11-24': 0.006, '2026-11-25': 0 }, withinDay: { '2026-11-24': 0.01, '2026-11-25': 0 } });
    expect(line('noOraclePaged')).toMatchObject({ costUsd: 0.06, parts: { likes: 0.01, pageMinimum: 0.05 }, withinDay: { '2026-11-24': 0.06, '2026-11-25': 0 } });
    expect(noOracleAt.get(stamp(runs[0]!))).toEqual({ noOracle: 0.01, noOraclePaged: 0.06 });
    expect(noOracleAt.get(stamp(runs[1]!))).toEqual({ noOracle: 0, noOraclePaged: 0 });
    // Only the measured days.
    expect(referenceLines('tiny', refs, new Set([utcDay(runs[1]!)])).lines.find((l) => l.strategy === 'noOraclePaged')!.costUsd).toBe(0);
  });

  it('holds the planner to 1.5× noOraclePaged on each full day and 2× at the first run after midnight, without rounding in its favour', () => {
    const days = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];
    const planner = (perDay: number[]): StrategyLine => ({
      scenario: 'realistic', strategy: 'planner', costUsd: 0, perDay: Object.fromEntries(days.map((d, i) => [d, perDay[i]!])),
      recall: 1, precision: 1, requests: 0, billedPosts: 0, billedUsers: 0, rateLimited: 0, rssMb: 0, heapLimitMb: 4096,
    });
    const ref = (strategy: ReferenceLine['strategy'], perDay: number[]): ReferenceLine => ({
      scenario: 'realistic', strategy, costUsd: 0, perDay: Object.fromEntries(days.map((d, i) => [d, perDay[i]!])),
      withinFullDays: { from: days[1]!, to: days[2]!, usd: 1 },
    });
    const refsLines = [ref('omniscient', [1, 10, 10, 1]), ref('noOracle', [1, 8, 8, 1]), ref('noOraclePaged', [1, 10, 10, 1])];
    const first = (p: number): Row[] => [{ at: '11-25T00:30', planner: p, omniscient: 1, noOraclePaged: 1 }];
    const t = (p: number[], midnight = 1) => targets([planner(p), ...refsLines], first(midnight));
    expect(t([5, 15, 15, 1]).realisticFullDayAtMost1_5xNoOraclePaged).toBe(true);
    expect(t([5, 15.04, 15, 1]).realisticFullDayAtMost1_5xNoOraclePaged).toBe(false);
    // Strict: the full days together (15 + 15) against 1.5× what they must pay together (withinFullDays 20 → 30).
    const strict = (p: number[], within = 20) => targets([planner(p), ...refsLines.map((l) => (l.strategy === 'noOraclePaged' ? { ...l, withinFullDays: { from: days[1]!, to: days[2]!, usd: within } } : l))], first(1));
    expect(strict([5, 15, 15, 1]).realisticFullDaysTogetherAtMost1_5xNoOraclePagedWithin).toEqual({ from: days[1], to: days[2], planner: 30, mustPay: 20, ratio: 1.5, met: true });
    expect(strict([5, 15, 15.04, 1]).realisticFullDaysTogetherAtMost1_5xNoOraclePagedWithin).toMatchObject({ planner: 30.04, met: false });
    // Each day within 1.5× its share of the bound, yet over 1.5× what the days must pay together: only the strict form fails.
    expect(strict([5, 15, 15, 1], 19).realisticFullDayAtMost1_5xNoOraclePaged).toBe(true);
    expect(strict([5, 15, 15, 1], 19).realisticFullDaysTogetherAtMost1_5xNoOraclePagedWithin).toMatchObject({ mustPay: 19, met: false });
    expect(t([5, 15, 15, 1]).realisticDayAtMost1_5xOmniscient).toBe(true);
    expect(t([5, 15, 15.04, 1]).realisticDayAtMost1_5xOmniscient).toBe(false);
    expect(t([5, 15, 15, 1], 2).realisticFirstRunAtMost2xNoOraclePaged).toBe(true);
    expect(t([5, 15, 15, 1], 2.004).realisticFirstRunAtMost2xNoOraclePaged).toBe(false);
    expect(t([5, 15, 15, 1], 2.004).realisticFirstRunAtMost2xOmniscient).toBe(false);
  });
});
