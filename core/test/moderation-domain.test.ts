import { describe, expect, it } from 'vitest';
import {
  checkEligibility, checkReply, cleanReply, DEFAULT_ELIGIBILITY, DEFAULT_REPLY_RULES, describeEligibility, prepareReply, similarity,
  validateEligibilityRules, validateReplyRules, type EligibilityRules, type ReplyRules,
} from '../src';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12);
const ROLE = '123456789012345678';

describe('eligibility', () => {
  const all: EligibilityRules = { minXAccountAgeDays: 30, minFollowers: 50, requireUnprotected: true, minServerDays: 7, requiredRoleIds: [ROLE] };
  const fine = { xCreatedAt: NOW - 400 * DAY, followers: 120, protected: false, guildJoinedAt: NOW - 30 * DAY, roleIds: ['1', ROLE] };

  it('defaults are off: anyone is eligible, even with nothing known', () => {
    expect(checkEligibility(DEFAULT_ELIGIBILITY, {}, NOW)).toEqual({ eligible: true, unmet: [] });
  });

  it.each([
    ['all rules met', {}, []],
    ['young X account', { xCreatedAt: NOW - 10 * DAY }, ['x_account_age']],
    ['few followers', { followers: 49 }, ['min_followers']],
    ['exactly the minimum followers', { followers: 50 }, []],
    ['protected', { protected: true }, ['protected']],
    ['new in the server', { guildJoinedAt: NOW - 2 * DAY }, ['server_time']],
    ['no required role', { roleIds: ['1'] }, ['roles']],
    ['nothing known', { xCreatedAt: undefined, followers: undefined, protected: undefined, guildJoinedAt: undefined, roleIds: undefined }, ['x_account_age', 'min_followers', 'protected', 'server_time', 'roles']],
  ])('%s', (_name, change, codes) => {
    const v = checkEligibility(all, { ...fine, ...change }, NOW);
    expect(v.unmet.map((u) => u.code)).toEqual(codes);
    expect(v.eligible).toBe(codes.length === 0);
  });

  it('says when a member qualifies with time alone, and only then', () => {
    const v = checkEligibility(all, { ...fine, xCreatedAt: NOW - 10 * DAY, guildJoinedAt: NOW - 6 * DAY }, NOW);
    expect(v.qualifiesAt).toBe(NOW + 20 * DAY);
    const text = describeEligibility(v);
    expect(text).toContain('at least 30 days (it is 10 days; you qualify on 2026-12-14)');
    expect(text).toContain('You qualify on 2026-12-14');
    expect(checkEligibility(all, { ...fine, xCreatedAt: NOW - 10 * DAY, followers: 3 }, NOW).qualifiesAt).toBeUndefined();
    expect(describeEligibility(checkEligibility(all, { ...fine, followers: 3 }, NOW))).toContain('you need 50 followers on X (you have 3)');
  });

  it.each([
    [{ minXAccountAgeDays: -1 }, /Minimum X account age .* from 0 \(off\) to 3,650 \(got -1\)/],
    [{ minFollowers: 1.5 }, /Minimum followers must be a whole number/],
    [{ minServerDays: '7' }, /time in the server .* \(got "7"\)/],
    [{ requireUnprotected: 'yes' }, /true or false/],
    [{ requiredRoleIds: ['admins'] }, /Discord role ids/],
    [{ maxAge: 3 }, /Unknown eligibility setting\(s\): maxAge/],
    [null, /must be an object/],
  ])('refuses bad rules %j', (input, message) => {
    expect(() => validateEligibilityRules(input)).toThrow(message);
  });

  it('accepts partial rules, filling defaults', () => {
    expect(validateEligibilityRules({ minFollowers: 10, requiredRoleIds: [ROLE, ROLE] })).toEqual({ ...DEFAULT_ELIGIBILITY, minFollowers: 10, requiredRoleIds: [ROLE] });
  });
});

const TEN_KB = Array.from({ length: 1300 }, (_, i) => `w${(i * 7919) % 10007}`).join(' ').padEnd(10_240, ' x');

describe('reply quality', () => {
  it.each([
    ['plain', 'Great thread, thanks for sharing!', 'great thread, thanks for sharing!', 5],
    ['mentions only', '@alice @bob_2 @c', '', 0],
    ['links only', 'https://t.co/abc http://example.com/x?y=1 www.example.org', '', 0],
    ['emoji only', '🔥🔥🚀 👍🏽 🇫🇷 👨‍👩‍👧 1️⃣', '', 0],
    ['hashtags only', '#gm #web3 #日本', '', 0],
    ['mixed', '@alice this is #gm really good 🔥 https://t.co/x', 'this is really good', 4],
    ['email kept', 'write to me@example.com please', 'write to me@example.com please', 5],
    ['unicode (accents, NFKC)', 'Ｃａｆé   au lait', 'café au lait', 3],
    ['Japanese', '素晴らしい投稿です', '素晴らしい投稿です', 3],
    ['RTL (Arabic)', 'منشور رائع جدا @user', 'منشور رائع جدا', 3],
    ['RTL (Hebrew) with emoji', 'פוסט מעולה 🔥', 'פוסט מעולה', 2],
  ])('cleans %s', (_name, text, cleaned, words) => {
    expect(cleanReply(text)).toBe(cleaned);
    expect(prepareReply(text).words).toBe(words);
  });

  const rules: ReplyRules = { minWords: 3, minChars: 12, duplicateThreshold: 0.8, blockedPhrases: ['follow back', 'gm'] };
  it.each([
    ['a real reply', 'Interesting point about the fee schedule', true],
    ['too short', 'nice one', 'too_short'],
    ['emoji only', '🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥', 'too_short'],
    ['mentions only', '@alice @bob @carol @dave @erin', 'too_short'],
    ['links only', 'https://example.com/a-very-long-link-indeed', 'too_short'],
    ['few long words', 'extraordinarily wonderful', 'too_few_words'],
    ['blocked phrase, any case', 'Amazing stuff, FOLLOW BACK please friend', 'blocked_phrase'],
    ['blocked word only as a whole word', 'gmail is where I read this article', true],
    ['RTL text', 'منشور رائع جدا وشكرا على المشاركة', true],
    ['10 KB reply', TEN_KB, true],
  ])('%s', (_name, text, expected) => {
    const v = checkReply(rules, prepareReply(text));
    expect(v.ok ? true : v.code).toBe(expected);
  });

  it('defaults are off: anything passes', () => {
    expect(checkReply(DEFAULT_REPLY_RULES, prepareReply('🔥'), [prepareReply('🔥')], [prepareReply('🔥')])).toEqual({ ok: true });
  });

  it('finds near-duplicates of the member\'s own earlier replies and of others\' replies to the same post', () => {
    const r = { ...DEFAULT_REPLY_RULES, duplicateThreshold: 0.8 };
    const earlier = prepareReply('This is a great thread about rollups, thanks!');
    expect(checkReply(r, prepareReply('this is a GREAT thread about rollups thanks 🚀 @bob'), [earlier])).toMatchObject({ ok: false, code: 'duplicate_own', detail: 'copy of your own reply' });
    expect(checkReply(r, prepareReply('This is a great thread about rollups, thanks!!'), [], [earlier])).toMatchObject({ ok: false, code: 'duplicate_other' });
    expect(checkReply(r, prepareReply('I disagree: rollups move the trust to the sequencer'), [earlier], [earlier])).toEqual({ ok: true });
    expect(checkReply(r, prepareReply('🔥🔥'), [prepareReply('🔥🔥')])).toMatchObject({ code: 'duplicate_own' });
    expect(checkReply({ ...r, duplicateThreshold: 1 }, prepareReply('This is a great thread about rollups, thank you!'), [earlier])).toEqual({ ok: true });
  });

  it('similarity is symmetric, 1 for the same text and 0 for unrelated text; a 10 KB pair is handled', () => {
    const a = prepareReply('the quick brown fox jumps');
    const b = prepareReply('the quick brown fox jumped');
    expect(similarity(a, b)).toBeCloseTo(similarity(b, a));
    expect(similarity(a, b)).toBeGreaterThan(0.7);
    expect(similarity(a, prepareReply('The quick, brown fox jumps!'))).toBe(1);
    expect(similarity(a, prepareReply('zzz yyy'))).toBe(0);
    expect(similarity(prepareReply(TEN_KB), prepareReply(`${TEN_KB} more`))).toBeGreaterThan(0.99);
  });

  it.each([
    [{ minWords: -1 }, /Minimum words must be a whole number from 0 \(off\) to 100 \(got -1\)/],
    [{ minChars: 5000 }, /Minimum characters .* to 1000/],
    [{ duplicateThreshold: 1.5 }, /Similarity threshold must be 0 \(off\) or from 0.5 to 1 \(got 1.5\)/],
    [{ duplicateThreshold: 0.2 }, /Similarity threshold/],
    [{ blockedPhrases: ['spam.*'] }, /"spam.\*" looks like a regular expression; phrases are matched literally/],
    [{ blockedPhrases: ['(buy|sell) now'] }, /looks like a regular expression/],
    [{ blockedPhrases: ['\\d+ free'] }, /looks like a regular expression/],
    [{ blockedPhrases: ['[a-z]+'] }, /looks like a regular expression/],
    [{ blockedPhrases: ['🔥🔥'] }, /no letters or digits left/],
    [{ blockedPhrases: [''] }, /1 to 100 characters/],
    [{ blockedPhrases: 'spam' }, /list of at most 200/],
    [{ minimum: 3 }, /Unknown reply setting/],
  ])('refuses bad reply rules %j', (input, message) => {
    expect(() => validateReplyRules(input)).toThrow(message);
  });

  it('accepts literal phrases with punctuation', () => {
    expect(validateReplyRules({ blockedPhrases: ['Follow back!', 'free $100', 'gm gm'], duplicateThreshold: 0.85 })).toEqual({ ...DEFAULT_REPLY_RULES, duplicateThreshold: 0.85, blockedPhrases: ['Follow back!', 'free $100', 'gm gm'] });
  });
});
