/**
 * The batch bench's reference lines and its targets line (batch.bench.ts prints them).
 *
 * noOracle is printed twice: `noOracle`, the bound as first proven (X's page minimum left out), and
 * `noOraclePaged`, the same with step 5 (what the 10-like first page of each read from the top that a
 * like forces must return, see no-oracle.ts). The targets hold the planner to `noOraclePaged`.
 */
import { utcDay } from '@engagement-tracker/sandbox/x';
import type { NoOracle, Parts } from './no-oracle';
import type { References } from './references';

/** What the targets read of a strategy's bench line. */
export interface StrategyLine {
  scenario: string;
  strategy: string;
  costUsd: number;
  perDay: Record<string, number>;
  recall: number;
  precision: number;
  requests: number;
  billedPosts: number;
  billedUsers: number;
  rateLimited: number;
  rssMb: number;
  /** The V8 heap limit the batch processes ran under. */
  heapLimitMb: number;
  estimateMaxErrorPct?: number;
}

export interface ReferenceLine {
  scenario: string;
  strategy: 'omniscient' | 'lowerBound' | 'streams' | 'noOracle' | 'noOraclePaged';
  costUsd: number;
  perDay: Record<string, number>;
  /** noOracle: USD by step of its argument (see no-oracle.ts), over the measured days. */
  parts?: Parts;
  /**
   * noOracle: what each day must pay on its own, and what the full days (all but the first and last
   * measured) must pay together, whatever the other days do (perDay attributes the total instead).
   */
  withinDay?: Record<string, number>;
  withinFullDays?: { from: string; to: string; usd: number };
}

/** One run of a scenario: what the planner and naive billed, next to the references. */
export interface Row {
  at: string;
  planner?: number;
  estimate?: number;
  naive?: number;
  omniscient?: number;
  lowerBound?: number;
  streams?: number;
  noOracle?: number;
  noOraclePaged?: number;
  why?: unknown;
}

/** Each run's share of both noOracle bounds, by run stamp. */
export type NoOracleAt = Map<string, { noOracle: number; noOraclePaged: number }>;

export const usd = (n: number) => Math.round(n * 100) / 100;
export const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
/** a ≤ k × b, with b > 0, unrounded (a printed ratio of 1.50 may be 1.504). */
const atMost = (a: number | undefined, k: number, b: number | undefined) => b !== undefined && b > 0 && (a ?? 0) <= k * b;
export const stamp = (t: number) => new Date(t).toISOString().slice(5, 16);

/** The references' lines over the days in `measured` (all of them when absent), and each run's noOracle. */
export function referenceLines(name: string, refs: References, measured?: Set<string>): { lines: ReferenceLine[]; noOracleAt: NoOracleAt } {
  const keep = (perDay: Record<string, number>) => Object.fromEntries(Object.entries(perDay).filter(([d]) => !measured || measured.has(d)));
  const line = (strategy: ReferenceLine['strategy'], perDay: Record<string, number>): ReferenceLine => ({ scenario: name, strategy, costUsd: usd(Object.values(perDay).reduce((a, b) => a + b, 0)), perDay });
  const lines = (['omniscient', 'lowerBound', 'streams'] as const).map((k) => line(k, keep(refs.perDay(k))));
  const [plain, paged] = [refs.noOracle(0), refs.noOracle()];
  const boundLine = (strategy: 'noOracle' | 'noOraclePaged', bound: NoOracle): ReferenceLine => {
    const parts: Parts = { likes: 0, quiet: 0, linkedAuthors: 0, engagement: 0, pageMinimum: 0 };
    refs.runs.forEach((t, i) => {
      if (measured && !measured.has(utcDay(t))) return;
      for (const k of Object.keys(parts) as Array<keyof Parts>) parts[k] += bound.perRunParts[i]![k];
    });
    const days = Object.keys(keep(bound.perDay)).sort();
    const full = days.slice(1, -1);
    return {
      ...line(strategy, keep(bound.perDay)),
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, usd(v)])) as unknown as Parts,
      withinDay: Object.fromEntries(days.map((d) => [d, usd(bound.within(d, d))])),
      ...(full.length ? { withinFullDays: { from: full[0]!, to: full[full.length - 1]!, usd: usd(bound.within(full[0]!, full[full.length - 1]!)) } } : {}),
    };
  };
  lines.push(boundLine('noOracle', plain), boundLine('noOraclePaged', paged));
  const noOracleAt: NoOracleAt = new Map(refs.runs.map((t, i) => [stamp(t), { noOracle: usd(plain.perRun[i]!), noOraclePaged: usd(paged.perRun[i]!) }]));
  return { lines, noOracleAt };
}

export function targets(lines: Array<StrategyLine | ReferenceLine>, firstRuns: Row[]) {
  const get = (s: string, k: string) => lines.find((l) => l.scenario === s && l.strategy === k);
  const planners = lines.filter((l): l is StrategyLine => l.strategy === 'planner');
  const std = get('standard', 'planner') as StrategyLine | undefined;
  const stdNaive = get('standard', 'naive') as StrategyLine | undefined;
  const idle = get('idle', 'planner') as StrategyLine | undefined;
  const real = get('realistic', 'planner') as StrategyLine | undefined;
  const realNaive = get('realistic', 'naive') as StrategyLine | undefined;
  const omni = get('realistic', 'omniscient');
  const lb = get('realistic', 'lowerBound');
  const streams = get('realistic', 'streams');
  const noOracle = get('realistic', 'noOracle') as ReferenceLine | undefined;
  const paged = get('realistic', 'noOraclePaged') as ReferenceLine | undefined;
  // Full measured days of the realistic scenario (the first, begun mid-day with every member new, is
  // warm-up; the last, one run after midnight, is not a day).
  const days = real ? Object.keys(real.perDay).sort().slice(1) : omni ? Object.keys(omni.perDay).sort().slice(1, -1) : [];
  const perDay = days.filter((d) => !real || real.perDay[d]! > 0).map((d) => ({
    day: d, planner: real?.perDay[d], naive: realNaive?.perDay[d], omniscient: omni?.perDay[d], lowerBound: lb?.perDay[d],
    streams: streams?.perDay[d], noOracle: noOracle?.perDay[d], noOraclePaged: paged?.perDay[d], noOraclePagedWithinDay: paged?.withinDay?.[d],
    ...(real ? {
      ratio: ratio(real.perDay[d]!, omni?.perDay[d] ?? 0), lowerBoundRatio: ratio(real.perDay[d]!, lb?.perDay[d] ?? 0), streamsRatio: ratio(real.perDay[d]!, streams?.perDay[d] ?? 0),
      'planner/noOracle': ratio(real.perDay[d]!, noOracle?.perDay[d] ?? 0), 'planner/noOraclePaged': ratio(real.perDay[d]!, paged?.perDay[d] ?? 0),
    } : {}),
    'omniscient×1.5 vs noOraclePaged': { omniscientX1_5: usd(1.5 * (omni?.perDay[d] ?? 0)), noOraclePaged: paged?.perDay[d], noOraclePagedToOmniscient: ratio(paged?.perDay[d] ?? 0, omni?.perDay[d] ?? 0) },
  }));
  const fullDays = paged?.withinFullDays;
  return {
    check: 'targets',
    recallPrecision100: planners.every((l) => l.recall === 1 && l.precision === 1),
    realisticPerDay: perDay,
    realisticDayAtMost1_5xOmniscient: real && perDay.length ? perDay.every((d) => atMost(d.planner, 1.5, d.omniscient)) : null,
    // noOraclePaged's share of each day against 1.5× omniscient (a split of the bound: a strategy may move
    // reads between days; the next field is the proof over the full days together).
    realisticNoOraclePagedOver1_5xOmniscient: perDay.length ? perDay.every((d) => (d.noOraclePaged ?? 0) > 1.5 * (d.omniscient ?? Infinity)) : null,
    // The proof that does not rest on how the bound's total is split into days: what the full days must
    // pay together against 1.5× what omniscient pays on them (the bound without step 5 next to it).
    realisticFullDaysNoOraclePagedVs1_5xOmniscient: fullDays && omni ? (() => {
      const { from, to, usd: must } = fullDays;
      const omniUsd = Object.entries(omni.perDay).filter(([d]) => d >= from && d <= to).reduce((a, [, v]) => a + v, 0);
      return { from, to, noOraclePagedWithin: must, noOracleWithin: noOracle?.withinFullDays?.usd, omniscientX1_5: usd(1.5 * omniUsd), unreachable: must > 1.5 * omniUsd };
    })() : null,
    // The target a planner without an oracle can be held to (README: What it costs): each full day at most 1.5× noOraclePaged's share of it.
    realisticFullDayAtMost1_5xNoOraclePaged: real && fullDays ? perDay.filter((d) => d.day >= fullDays.from && d.day <= fullDays.to).every((d) => atMost(d.planner, 1.5, d.noOraclePaged)) : null,
    // The strict form, on the proven figure only: the planner's full days together against 1.5× what any
    // strategy without an oracle must pay over them together (`within`), however it moves reads between days.
    realisticFullDaysTogetherAtMost1_5xNoOraclePagedWithin: real && fullDays ? (() => {
      const planner = usd(perDay.filter((d) => d.day >= fullDays.from && d.day <= fullDays.to).reduce((a, d) => a + (d.planner ?? 0), 0));
      return { from: fullDays.from, to: fullDays.to, planner, mustPay: fullDays.usd, ratio: ratio(planner, fullDays.usd), met: atMost(planner, 1.5, fullDays.usd) };
    })() : null,
    realisticFirstRunAfterMidnight: firstRuns.map((r) => ({
      at: r.at, planner: r.planner, omniscient: r.omniscient, noOracle: r.noOracle, noOraclePaged: r.noOraclePaged,
      ...(r.planner !== undefined ? { ratio: ratio(r.planner, r.omniscient ?? 0), 'planner/noOraclePaged': ratio(r.planner, r.noOraclePaged ?? 0) } : {}),
      'omniscient×2 vs noOraclePaged': { omniscientX2: usd(2 * (r.omniscient ?? 0)), noOraclePaged: r.noOraclePaged },
    })),
    realisticFirstRunAtMost2xOmniscient: firstRuns.length && real ? firstRuns.every((r) => atMost(r.planner, 2, r.omniscient)) : null,
    realisticFirstRunAtMost2xNoOraclePaged: firstRuns.length && real ? firstRuns.every((r) => atMost(r.planner, 2, r.noOraclePaged)) : null,
    estimateWithin5Pct: planners.every((l) => (l.estimateMaxErrorPct ?? 0) <= 5),
    standardCostRatioToNaive: std && stdNaive ? ratio(std.costUsd, stdNaive.costUsd) : null,
    idleOnlyMetricsLookups: idle ? idle.requests <= Math.ceil(300 / 100) && idle.billedUsers === 0 && idle.billedPosts <= 300 : null,
    noRefusedExceptRatelimited: planners.filter((l) => l.scenario !== 'ratelimited').every((l) => l.rateLimited === 0),
    // Under 256 MB with no heap cap: node's default limit is gigabytes; a cap near 256 MB could be what held the process under it.
    under256MbRss: planners.filter((l) => l.scenario === 'standard' || l.scenario === 'realistic').map((l) => ({ scenario: l.scenario, rssMb: l.rssMb, heapLimitMb: l.heapLimitMb, ok: l.rssMb < 256 && l.heapLimitMb > 512 })),
  };
}
