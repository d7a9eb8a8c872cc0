import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '@engagement-tracker/core';

/**
 * The shapes every admin API input is checked against before a handler (or Redis) sees it: one
 * schema per route for its path params, query and body (see the routers). Types are exact (no
 * coercion of `"3"`, `[2]` or `true` into numbers), objects are strict (unknown keys refused), and
 * text is trimmed, NFC-normalised and measured by what a reader sees.
 */

/** A Discord or X id: a snowflake in decimal, no sign, no leading zero, at most 20 digits. */
export const snowflake = z.string().regex(/^[1-9]\d{0,19}$/, 'must be a Discord or X id (digits only)');

/** A batch run id: recorded by the batch program (`run-...`) or by the Job watcher (`job-...`). */
export const runId = z.string().regex(/^(?:run|job)-[A-Za-z0-9-]{1,100}$/, 'must be a batch run id (run-... or job-...)');

/** An audit entry id: a Redis stream id, `<ms>-<seq>`, each part a 64-bit number. */
export const auditId = z.string().regex(/^\d{1,19}-\d{1,19}$/, 'must be an audit entry id (e.g. 1764400000000-0)');

/** An API token id: 12 lower-case hex digits. */
export const apiTokenId = z.string().regex(/^[0-9a-f]{12}$/, 'must be an API token id (12 hex digits)');

/** A tier in a path: exactly `1`, `2` or `3` (not `01`, `1.0`, `0x1` or `1e0`). */
export const tierParam = z.enum(['1', '2', '3'], { message: 'tier must be 1, 2 or 3' }).transform((t) => Number(t) as 1 | 2 | 3);

/** A tier in a body: the number 1, 2 or 3 (not the string "3", [2] or true). */
export const tier = z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'tier must be the number 1, 2 or 3' });

/** Whole numbers only, within the safe range. */
export const int = () => z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

// C0/C1 control characters (NUL, escape, newlines...), which no single-line field needs.
const CONTROL = /\p{Cc}/u;
// Bidirectional overrides and isolates reorder what a reader sees ("Trojan source"); RTL text needs none of them.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
// Invisible characters that count for nothing a reader sees: format characters (zero-width space,
// joiners, BOM, soft hyphen...) and the rest of the "default ignorables".
const INVISIBLE = /[\p{Cf}\p{Variation_Selector}\u3164\uFFA0]|\u034F|\u115F|\u1160/gu;
// Half of a UTF-16 pair on its own (JSON can carry it; it is not text).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const COMBINING_RUN = /\p{M}{9,}/u;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** How many characters a reader sees: grapheme clusters, not counting invisible ones or white space. */
export function visibleLength(s: string): number {
  let n = 0;
  for (const { segment } of graphemes.segment(s.replace(INVISIBLE, ''))) if (/\S/u.test(segment)) n += 1;
  return n;
}

/**
 * Single-line text: control characters, bidi overrides and broken UTF-16 refused; trimmed and
 * NFC-normalised; its length counted in visible characters (`min`, `max`), and its stored size capped.
 */
export function text(opts: { min?: number; max: number; what?: string }) {
  const what = opts.what ?? 'text';
  const min = opts.min ?? 0;
  return z
    .string()
    .max(opts.max * 8, `${what} is too long (at most ${opts.max} characters)`)
    .superRefine((s, ctx) => {
      if (LONE_SURROGATE.test(s)) ctx.addIssue({ code: 'custom', message: `${what} is not valid Unicode text` });
      else if (CONTROL.test(s)) ctx.addIssue({ code: 'custom', message: `${what} must not contain control characters (newlines, tabs, NUL...)` });
      else if (BIDI_CONTROL.test(s)) ctx.addIssue({ code: 'custom', message: `${what} must not contain bidirectional override characters` });
      else if (COMBINING_RUN.test(s)) ctx.addIssue({ code: 'custom', message: `${what} stacks too many combining marks` });
    })
    .transform((s) => s.normalize('NFC').trim())
    .superRefine((s, ctx) => {
      const n = visibleLength(s);
      if (n < min) ctx.addIssue({ code: 'custom', message: min === 1 ? `${what} must not be empty` : `${what} needs at least ${min} visible characters` });
      if (n > opts.max || s.length > opts.max * 4) ctx.addIssue({ code: 'custom', message: `${what} is too long (at most ${opts.max} characters)` });
    });
}

/** What a route accepts: each part is a zod schema; absent parts must be empty. */
export interface RouteInput {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

const noQuery = z.strictObject({});

/** The first problem of a failed parse, as one sentence naming the field. */
export function describeIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return `${i?.path.length ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid input'}`;
}

function parsePart<S extends z.ZodType>(schema: S, value: unknown, code: string, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(`Bad ${what}: ${describeIssue(r.error)}`, code);
  return r.data;
}

/**
 * Validate a request against its route's schemas: a bad path id is a 400 `bad_id`, a bad query a 400
 * `bad_query`, a bad body a 400 `invalid`. A route without a query schema takes no query, and one
 * without a body schema takes no body.
 */
export function validate<R extends RouteInput>(req: Request, schemas: R): { params: Out<R['params']>; query: Out<R['query']>; body: Out<R['body']> } {
  const params = schemas.params ? parsePart(schemas.params, { ...req.params }, 'bad_id', 'id') : undefined;
  const query = parsePart(schemas.query ?? noQuery, { ...(req.query as object) }, 'bad_query', 'query');
  let body: unknown;
  if (schemas.body) body = parsePart(schemas.body, req.body ?? {}, 'invalid', 'request body');
  else if (hasBody(req.body)) throw new ValidationError('This request takes no body.', 'invalid');
  return { params, query: schemas.query ? query : undefined, body } as { params: Out<R['params']>; query: Out<R['query']>; body: Out<R['body']> };
}

function hasBody(b: unknown): boolean {
  if (b === undefined || b === null) return false;
  if (typeof b === 'object' && !Array.isArray(b)) return Object.keys(b).length > 0;
  return true;
}
