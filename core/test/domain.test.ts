import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, compareSnowflakes, isoWeek, parseTier, parseTweetUrl, validateRulePoints } from '../src';

describe('parseTweetUrl', () => {
  const id = '1860123456789012345'; // above 2^53: must survive as a string
  it.each([
    `https://x.com/jack/status/${id}`,
    `https://twitter.com/jack/status/${id}?s=20&t=abc`,
    `https://mobile.twitter.com/jack/status/${id}#frag`,
    `https://www.x.com/jack/statuses/${id}`,
    `https://fxtwitter.com/jack/status/${id}`,
    `https://vxtwitter.com/jack/status/${id}/photo/1`,
    `https://fixupx.com/jack/status/${id}`,
    `https://x.com/i/web/status/${id}`,
    `x.com/jack/status/${id}`,
    `<https://x.com/jack/status/${id}>`,
  ])('accepts %s', (url) => {
    const r = parseTweetUrl(url);
    expect(r).toMatchObject({ ok: true, tweetId: id });
  });

  it('keeps the handle when the link has one', () => {
    expect(parseTweetUrl(`https://x.com/jack/status/${id}`)).toEqual({ ok: true, tweetId: id, handle: 'jack' });
  });

  it.each([
    ['', /Paste a link/],
    ['not a url at all', /not a link|not posts on X/],
    [`https://example.com/jack/status/${id}`, /example.com are not posts on X/],
    ['https://x.com/jack', /does not point to a single post/],
    ['https://x.com/jack/status/abc', /not valid/],
    ['ftp://x.com/jack/status/1', /https/],
  ])('rejects %j with a reason', (url, reason) => {
    const r = parseTweetUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('compares snowflakes as strings without precision loss', () => {
    expect(compareSnowflakes('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareSnowflakes('999', '1000')).toBe(-1);
  });
});

describe('rules and tiers', () => {
  it('has the seed table with quotes priced like retweets', () => {
    expect(DEFAULT_RULES[1]).toEqual({ like: 1, retweet: 2, reply: 3, quote: 2 });
    expect(DEFAULT_RULES[3]).toEqual({ like: 3, retweet: 6, reply: 9, quote: 6 });
  });
  it('validates points as whole numbers 0-1000', () => {
    expect(validateRulePoints(0)).toBe(0);
    expect(validateRulePoints(1000)).toBe(1000);
    expect(() => validateRulePoints(1001)).toThrow(/0 to 1000/);
    expect(() => validateRulePoints(1.5)).toThrow(/whole number/);
    expect(() => validateRulePoints(-1)).toThrow();
  });
  it('parses tiers 1-3 only', () => {
    expect(parseTier('2')).toBe(2);
    expect(() => parseTier(4)).toThrow(/1, 2 or 3/);
  });
});

describe('isoWeek (UTC)', () => {
  it.each([
    ['2026-11-24T12:00:00Z', '2026-W48'],
    ['2021-01-03T23:59:59Z', '2020-W53'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
  ])('%s is in %s', (at, week) => {
    expect(isoWeek(new Date(at))).toBe(week);
  });
});
