import { ValidationError } from '../errors';
import { objectOf } from './eligibility';

/** What a reply must pass to earn points. Every rule is off at its default. */
export interface ReplyRules {
  /** Minimum words after removing mentions, links, emoji and hashtags (0 = off). */
  minWords: number;
  /** Minimum characters (code points, spaces not counted) after the same removal (0 = off). */
  minChars: number;
  /**
   * A reply whose normalised text is at least this similar (0..1, character trigrams) to the same
   * member's earlier reply in the window, or to another member's earlier reply to the same post,
   * is a near-duplicate (0 = off; 1 = exact copies only).
   */
  duplicateThreshold: number;
  /** Replies containing one of these (literal, case-insensitive) are refused. */
  blockedPhrases: string[];
}

export const DEFAULT_REPLY_RULES: ReplyRules = { minWords: 0, minChars: 0, duplicateThreshold: 0, blockedPhrases: [] };

export type ReplyRejection = 'too_short' | 'too_few_words' | 'blocked_phrase' | 'duplicate_own' | 'duplicate_other';

/** The words members read in `/stats` ("2 replies not counted: too short"). */
export const REPLY_REJECTION_TEXT: Record<ReplyRejection, string> = {
  too_short: 'too short',
  too_few_words: 'too few words',
  blocked_phrase: 'blocked phrase',
  duplicate_own: 'copy of your own reply',
  duplicate_other: "copy of another member's reply",
};

/** A reply prepared once for every check and comparison. */
export interface PreparedReply {
  /** lower-cased, NFKC, without links, mentions, hashtags and emoji, spaces collapsed */
  cleaned: string;
  words: number;
  chars: number;
  /** character trigrams of the comparison text */
  grams: Set<string>;
  /** the comparison text (letters and digits only, single spaces) */
  key: string;
}

const LINK = /\b(?:https?:\/\/|www\.)\S+/giu;
const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_]{1,50}/gu;
const HASHTAG = /(^|[^\p{L}\p{N}_&])[#＃][\p{L}\p{N}_\p{M}]+/gu;
// Pictographs and what joins or modifies them: ZWJ, variation selectors, skin tones, keycaps, flags, tags.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200D|\uFE0E|\uFE0F|\u20E3|[\u{E0020}-\u{E007F}]/gu;
const KEYCAP = /[0-9#*]\uFE0F?\u20E3/gu;
const SPACES = /\s+/gu;
const NOT_TEXT = /[^\p{L}\p{N}\p{M}\s]/gu;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Remove links, mentions, hashtags and emoji; lower-case; collapse spaces. Pure. */
export function cleanReply(text: string): string {
  return text
    .normalize('NFKC')
    .replace(LINK, ' ')
    .replace(MENTION, '$1 ')
    .replace(HASHTAG, '$1 ')
    .replace(KEYCAP, ' ')
    .replace(EMOJI, ' ')
    .toLowerCase()
    .replace(SPACES, ' ')
    .trim();
}

/** Words of a cleaned text: word-like segments (so Chinese, Japanese or Thai count properly, not by spaces). */
export function countWords(cleaned: string): number {
  let n = 0;
  for (const s of segmenter.segment(cleaned)) if (s.isWordLike) n++;
  return n;
}

/** Letters, digits and single spaces of a cleaned text: what comparisons and blocked phrases see. */
export function textKey(text: string): string {
  return cleanReply(text).replace(NOT_TEXT, ' ').replace(SPACES, ' ').trim();
}

export function prepareReply(text: string): PreparedReply {
  const cleaned = cleanReply(text);
  const key = cleaned.replace(NOT_TEXT, ' ').replace(SPACES, ' ').trim();
  // An emoji- or mention-only reply compares by its raw text, so two identical ones still match.
  const cmp = key || text.replace(SPACES, '').toLowerCase();
  return { cleaned, words: countWords(cleaned), chars: [...cleaned.replace(SPACES, '')].length, grams: trigrams(cmp), key: cmp };
}

function trigrams(s: string): Set<string> {
  const cps = [...s];
  const out = new Set<string>();
  if (cps.length < 3) {
    if (cps.length) out.add(cps.join(''));
    return out;
  }
  for (let i = 0; i + 3 <= cps.length; i++) out.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  return out;
}

/** Jaccard similarity of two replies' trigrams, 0..1 (1 = the same normalised text). */
export function similarity(a: PreparedReply, b: PreparedReply): number {
  if (a.key === b.key) return 1;
  if (!a.grams.size || !b.grams.size) return 0;
  const [small, big] = a.grams.size <= b.grams.size ? [a.grams, b.grams] : [b.grams, a.grams];
  let common = 0;
  for (const g of small) if (big.has(g)) common++;
  return common / (a.grams.size + b.grams.size - common);
}

export type ReplyVerdict = { ok: true } | { ok: false; code: ReplyRejection; detail: string };

/**
 * Check one reply against the rules. `ownEarlier`: the same member's earlier replies in the
 * window; `othersEarlier`: other members' earlier replies to the same post. Pure.
 */
export function checkReply(rules: ReplyRules, reply: PreparedReply, ownEarlier: PreparedReply[] = [], othersEarlier: PreparedReply[] = []): ReplyVerdict {
  const no = (code: ReplyRejection): ReplyVerdict => ({ ok: false, code, detail: REPLY_REJECTION_TEXT[code] });
  if (rules.minChars > 0 && reply.chars < rules.minChars) return no('too_short');
  if (rules.minWords > 0 && reply.words < rules.minWords) return no('too_few_words');
  if (rules.blockedPhrases.length) {
    const hay = ` ${reply.key} `;
    if (needlesOf(rules.blockedPhrases).some((n) => hay.includes(` ${n} `))) return no('blocked_phrase');
  }
  if (rules.duplicateThreshold > 0) {
    // Trigram sets of very different sizes cannot reach the threshold: skip them unread.
    const near = (o: PreparedReply) => Math.min(o.grams.size, reply.grams.size) / Math.max(o.grams.size, reply.grams.size, 1) >= rules.duplicateThreshold && similarity(reply, o) >= rules.duplicateThreshold;
    if (ownEarlier.some(near)) return no('duplicate_own');
    if (othersEarlier.some(near)) return no('duplicate_other');
  }
  return { ok: true };
}

const needles = new WeakMap<string[], string[]>();
/** Blocked phrases as comparison text (whole words), computed once per rules object. */
function needlesOf(phrases: string[]): string[] {
  let n = needles.get(phrases);
  if (!n) needles.set(phrases, (n = phrases.map(textKey).filter(Boolean)));
  return n;
}

const REGEX_LIKE = /\\[dwsbDWSB.*+?()[\]{}|^$\\]|\.\*|\.\+|\[[^\]]*\]|\([^)]*\|[^)]*\)|\{\d+(,\d*)?\}|^\^/;

/** Validate reply rules from an admin. Blocked phrases are literal text: anything looking like a regex is refused. */
export function validateReplyRules(input: unknown): ReplyRules {
  const o = objectOf(input, 'Reply rules');
  const problems: string[] = [];
  const whole = (key: 'minWords' | 'minChars', max: number, label: string): number => {
    const v = o[key] ?? 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      problems.push(`${label} must be a whole number from 0 (off) to ${max} (got ${JSON.stringify(v)})`);
      return 0;
    }
    return v;
  };
  const rules: ReplyRules = { minWords: whole('minWords', 100, 'Minimum words'), minChars: whole('minChars', 1000, 'Minimum characters'), duplicateThreshold: 0, blockedPhrases: [] };
  const t = o.duplicateThreshold ?? 0;
  if (typeof t !== 'number' || !Number.isFinite(t) || (t !== 0 && (t < 0.5 || t > 1))) {
    problems.push(`Similarity threshold must be 0 (off) or from 0.5 to 1 (got ${JSON.stringify(t)})`);
  } else rules.duplicateThreshold = t;
  const phrases = o.blockedPhrases ?? [];
  if (!Array.isArray(phrases) || phrases.length > 200) {
    problems.push('Blocked phrases must be a list of at most 200 phrases');
  } else {
    for (const p of phrases) {
      if (typeof p !== 'string' || !p.trim() || p.length > 100) problems.push(`Blocked phrase ${JSON.stringify(p)} must be 1 to 100 characters`);
      else if (REGEX_LIKE.test(p.trim())) problems.push(`Blocked phrase ${JSON.stringify(p)} looks like a regular expression; phrases are matched literally, so write the words themselves`);
      else if (!textKey(p)) problems.push(`Blocked phrase ${JSON.stringify(p)} has no letters or digits left once links, mentions, hashtags and emoji are removed`);
      else rules.blockedPhrases.push(p.trim());
    }
    rules.blockedPhrases = [...new Set(rules.blockedPhrases)];
  }
  const unknown = Object.keys(o).filter((k) => !(k in DEFAULT_REPLY_RULES));
  if (unknown.length) problems.push(`Unknown reply setting(s): ${unknown.join(', ')}`);
  if (problems.length) throw new ValidationError(problems.join('; '), 'invalid_reply_rules');
  return rules;
}
