import { describe, expect, it } from 'vitest';
import {
  isoWeeksInYear,
  oldestKeptPeriod,
  periodBoardTtlSeconds,
  periodKeptUntil,
  periodBounds,
  periodOf,
  recentPeriods,
  seasonFor,
  seasonPoints,
  seasonsClash,
  seasonStatus,
  shiftPeriod,
  validateSeason,
  type SeasonSpec,
} from '../src/domain';

const at = (iso: string) => Date.parse(iso);

describe('periodOf', () => {
  it.each([
    ['day', '2026-11-29T23:59:59.999Z', '2026-11-29'],
    ['day', '2026-11-30T00:00:00.000Z', '2026-11-30'],
    ['week', '2026-11-29T23:59:59.999Z', '2026-W48'], // Sunday closes the ISO week
    ['week', '2026-11-30T00:00:00.000Z', '2026-W49'],
    ['week', '2027-01-01T12:00:00.000Z', '2026-W53'], // 2026 has 53 ISO weeks: Jan 1 2027 is in its last
    ['week', '2024-12-30T00:00:00.000Z', '2025-W01'], // a Monday in December opening next year's week 1
    ['week', '2021-01-03T12:00:00.000Z', '2020-W53'],
    ['month', '2026-02-28T23:59:59.999Z', '2026-02'],
    ['month', '2026-03-01T00:00:00.000Z', '2026-03'],
    ['month', '2028-02-29T12:00:00.000Z', '2028-02'],
    ['all', '2026-06-01T00:00:00.000Z', 'all'],
  ] as const)('%s of %s is %s', (window, iso, id) => {
    expect(periodOf(window, at(iso))).toBe(id);
  });
});

describe('periodBounds', () => {
  it.each([
    ['day', '2026-11-29', '2026-11-29T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['week', '2026-W01', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
    ['week', '2026-W53', '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
    ['week', '2020-W53', '2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
    ['month', '2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['month', '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ] as const)('%s %s runs from %s to %s', (window, id, start, end) => {
    expect(periodBounds(window, id)).toEqual({ start: at(start), end: at(end) });
  });

  it.each([
    ['day', '2026-02-29'],
    ['day', '2026-13-01'],
    ['day', '2026-1-01'],
    ['week', '2025-W53'], // 2025 has 52 ISO weeks
    ['week', '2026-W00'],
    ['week', '2026-W54'],
    ['month', '2026-00'],
    ['month', '2026-13'],
    ['month', '2026-1'],
    ['all', 'everything'],
  ] as const)('refuses %s %s', (window, id) => {
    expect(periodBounds(window, id)).toBeUndefined();
  });

  it('every instant lies in the bounds of its own period, for every window, across years', () => {
    for (let t = at('2019-12-20T00:00:00Z'); t < at('2028-01-10T00:00:00Z'); t += 86_400_000 * 3 + 3_600_000 * 7) {
      for (const window of ['day', 'week', 'month'] as const) {
        const b = periodBounds(window, periodOf(window, t))!;
        expect(t >= b.start && t < b.end).toBe(true);
      }
    }
  });

  it('knows 52- and 53-week years', () => {
    expect([2015, 2020, 2026, 2032].map(isoWeeksInYear)).toEqual([53, 53, 53, 53]);
    expect([2021, 2024, 2025, 2027].map(isoWeeksInYear)).toEqual([52, 52, 52, 52]);
  });
});

describe('shiftPeriod and recentPeriods', () => {
  it.each([
    ['day', '2026-03-01', 1, '2026-02-28'],
    ['day', '2028-03-01', 1, '2028-02-29'],
    ['week', '2027-W01', 1, '2026-W53'],
    ['week', '2026-W01', 1, '2025-W52'],
    ['week', '2026-W52', -2, '2027-W01'],
    ['month', '2026-01', 1, '2025-12'],
    ['month', '2026-12', -1, '2027-01'],
    ['month', '2026-03', 13, '2025-02'],
  ] as const)('%s %s shifted back by %i is %s', (window, id, steps, expected) => {
    expect(shiftPeriod(window, id, steps)).toBe(expected);
  });

  it('lists the current period first, then earlier ones', () => {
    expect(recentPeriods('month', at('2026-01-15T00:00:00Z'), 3)).toEqual(['2026-01', '2025-12', '2025-11']);
    expect(recentPeriods('all', at('2026-01-15T00:00:00Z'), 5)).toEqual(['all']);
  });
});

describe('periodBoardTtlSeconds', () => {
  it('keeps a board until `keep` further periods have ended', () => {
    const now = at('2026-11-29T12:00:00Z');
    // day 2026-11-29 kept for 2 more days: until the end of 2026-12-01
    expect(periodBoardTtlSeconds('day', '2026-11-29', 2, now)).toBe((at('2026-12-02T00:00:00Z') - now) / 1000);
    expect(periodBoardTtlSeconds('all', 'all', 2, now)).toBeUndefined();
    // a period long gone still gets a positive TTL (it expires at once)
    expect(periodBoardTtlSeconds('day', '2020-01-01', 2, now)).toBe(1);
  });

  it('keeps week boards across ISO week 53 and the year boundary', () => {
    // 2026 has 53 ISO weeks: 2026-W53 is Mon 2026-12-28 .. Sun 2027-01-03; kept 1 more week: until 2027-W01 ends
    expect(periodKeptUntil('week', '2026-W53', 1)).toBe(at('2027-01-11T00:00:00Z'));
    expect(periodBoardTtlSeconds('week', '2026-W53', 1, at('2026-12-31T12:00:00Z'))).toBe(10.5 * 86_400);
    expect(periodKeptUntil('week', '2025-W52', 53)).toBe(at('2027-01-04T00:00:00Z'));
    expect(periodKeptUntil('month', '2026-12', 2)).toBe(at('2027-03-01T00:00:00Z'));
    expect(periodKeptUntil('week', '2026-W54', 1)).toBeUndefined();
  });
});

describe('oldestKeptPeriod', () => {
  it.each([
    // [window, now, keep, oldest period whose board still exists]
    ['week', '2027-01-11T00:00:00Z', 1, '2027-W01'],
    ['week', '2027-01-10T23:59:59Z', 1, '2026-W53'],
    ['week', '2027-01-04T00:00:00Z', 1, '2026-W53'],
    ['week', '2026-01-05T00:00:00Z', 2, '2025-W52'],
    ['week', '2021-01-04T00:00:00Z', 1, '2020-W53'],
    ['week', '2026-11-24T12:00:00Z', 53, '2025-W47'],
    ['day', '2026-03-01T00:00:00Z', 1, '2026-02-28'],
    ['month', '2027-01-31T00:00:00Z', 24, '2025-01'],
  ] as const)('%s at %s keeping %i: %s', (window, now, keep, expected) => {
    expect(oldestKeptPeriod(window, at(now), keep)).toBe(expected);
    // the board of the oldest kept period outlives `now`; the one before it has ended its retention
    expect(periodKeptUntil(window, expected, keep)!).toBeGreaterThan(at(now));
    expect(periodKeptUntil(window, shiftPeriod(window, expected, 1)!, keep)!).toBeLessThanOrEqual(at(now));
  });
});

describe('seasons', () => {
  const base: SeasonSpec = { name: 'Autumn', startsAt: at('2026-11-01T00:00:00Z'), endsAt: at('2026-12-01T00:00:00Z') };

  it.each([
    [{ name: '  ' }, 'name'],
    [{ name: 'x'.repeat(81) }, 'name'],
    [{ endsAt: base.startsAt + 60_000 }, 'endsAt'],
    [{ endsAt: base.startsAt + 400 * 86_400_000 }, 'endsAt'],
    [{ multiplierPct: 0 }, 'multiplierPct'],
    [{ multiplierPct: 1.5 }, 'multiplierPct'],
    [{ multiplierPct: 1001 }, 'multiplierPct'],
    [{ capPerPost: -1 }, 'capPerPost'],
    [{ capPerDay: 0 }, 'capPerDay'],
    [{ rewardTop: 101 }, 'rewardTop'],
    [{ categories: ['a', 'a'] as string[] }, 'categories'],
  ] as const)('refuses %j on %s', (patch, field) => {
    const r = validateSeason({ ...base, ...patch });
    expect(r).toMatchObject({ ok: false, field });
  });

  it('accepts a full season', () => {
    expect(validateSeason({ ...base, multiplierPct: 150, capPerPost: 20, capPerDay: 100, categories: ['defi'], rewardTop: 10 })).toEqual({ ok: true });
  });

  it('clashes only when times overlap and categories can meet', () => {
    const next = { ...base, startsAt: base.endsAt, endsAt: base.endsAt + 86_400_000 * 7 };
    expect(seasonsClash(base, next)).toBe(false); // back to back: end is exclusive
    expect(seasonsClash(base, { ...base, name: 'b' })).toBe(true);
    expect(seasonsClash({ ...base, categories: ['a'] }, { ...base, categories: ['b'] })).toBe(false);
    expect(seasonsClash({ ...base, categories: ['a', 'c'] }, { ...base, categories: ['b', 'c'] })).toBe(true);
    expect(seasonsClash({ ...base, categories: ['a'] }, base)).toBe(true); // no categories = all
  });

  it('finds the season that counts an award, ending mid-run', () => {
    const seasons = [{ ...base, categories: ['a'] }, { ...base, name: 'B', categories: ['b'] }];
    expect(seasonFor(seasons, 'b', at('2026-11-10T00:00:00Z'))?.name).toBe('B');
    expect(seasonFor(seasons, 'c', at('2026-11-10T00:00:00Z'))).toBeUndefined();
    expect(seasonFor(seasons, 'a', base.endsAt - 1)?.name).toBe('Autumn');
    expect(seasonFor(seasons, 'a', base.endsAt)).toBeUndefined();
    expect(seasonStatus(base, base.startsAt - 1)).toBe('scheduled');
    expect(seasonStatus(base, base.startsAt)).toBe('running');
    expect(seasonStatus(base, base.endsAt)).toBe('ended');
  });

  it.each([
    [9, {}, 0, 0, 9],
    [9, { multiplierPct: 150 }, 0, 0, 13],
    [1, { multiplierPct: 50 }, 0, 0, 0],
    [9, { capPerPost: 10 }, 4, 0, 6],
    [9, { capPerPost: 10 }, 10, 0, 0],
    [9, { capPerDay: 20 }, 0, 15, 5],
    [9, { multiplierPct: 200, capPerPost: 30, capPerDay: 25 }, 0, 10, 15],
    [9, { capPerDay: 5 }, 0, 8, 0],
  ] as const)('base %i with %j, used %i/%i gives %i', (base, season, usedPost, usedDay, expected) => {
    expect(seasonPoints(base, season, usedPost, usedDay)).toBe(expected);
  });
});

describe('UTC whatever the machine’s time zone: no DST anywhere', () => {
  // Instants around the 2026 DST switches (EU 29 Mar and 25 Oct at 01:00 UTC, US 8 Mar and 1 Nov), a month
  // end, and a Sunday night that is already Monday east of UTC: [instant, day, ISO week, month].
  const instants = [
    ['2026-03-29T00:59:59.999Z', '2026-03-29', '2026-W13', '2026-03'],
    ['2026-03-29T01:00:00.000Z', '2026-03-29', '2026-W13', '2026-03'],
    ['2026-03-31T23:59:59.999Z', '2026-03-31', '2026-W14', '2026-03'],
    ['2026-10-25T00:30:00.000Z', '2026-10-25', '2026-W43', '2026-10'],
    ['2026-11-01T06:30:00.000Z', '2026-11-01', '2026-W44', '2026-11'],
    ['2026-11-29T23:30:00.000Z', '2026-11-29', '2026-W48', '2026-11'],
  ] as const;
  // The zone's offset in mid-January (minutes, as getTimezoneOffset gives it): proof the zone is in force.
  it.each([
    ['UTC', 0],
    ['Europe/Berlin', -60],
    ['America/New_York', 300],
    ['Australia/Lord_Howe', -660],
    ['Pacific/Kiritimati', -840],
  ] as const)('in %s', (zone, januaryOffset) => {
    const saved = process.env.TZ;
    process.env.TZ = zone;
    try {
      expect(new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset()).toBe(januaryOffset);
      for (const [iso, day, week, month] of instants) {
        expect([periodOf('day', at(iso)), periodOf('week', at(iso)), periodOf('month', at(iso))]).toEqual([day, week, month]);
      }
      // Days and weeks that hold a DST switch are as long as any other.
      for (const d of ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01']) expect(periodBounds('day', d)).toEqual({ start: at(`${d}T00:00:00Z`), end: at(`${d}T00:00:00Z`) + 86_400_000 });
      expect(periodBounds('week', '2026-W13')).toEqual({ start: at('2026-03-23T00:00:00Z'), end: at('2026-03-30T00:00:00Z') });
      expect(periodBounds('month', '2026-10')).toEqual({ start: at('2026-10-01T00:00:00Z'), end: at('2026-11-01T00:00:00Z') });
      // A season across the October switch ends at its UTC instant.
      const season: SeasonSpec = { name: 'Autumn', startsAt: at('2026-10-24T00:00:00Z'), endsAt: at('2026-10-26T00:00:00Z') };
      expect(seasonStatus(season, at('2026-10-25T23:59:59.999Z'))).toBe('running');
      expect(seasonStatus(season, at('2026-10-26T00:00:00Z'))).toBe('ended');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
