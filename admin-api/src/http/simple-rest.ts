import type { Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '@engagement-tracker/core';

/** A parsed ra-data-simple-rest list request. */
export interface ListQuery<F> {
  offset: number;
  limit: number;
  sort?: string;
  order: 'ASC' | 'DESC';
  filter: F;
}

const MAX_PAGE = 1000;

function parseJson(name: string, raw: unknown): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ValidationError(`${name} must be given once, as JSON`, 'bad_query');
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError(`${name} is not valid JSON (expected e.g. ${name === 'range' ? '[0,24]' : name === 'sort' ? '["id","ASC"]' : '{}'})`, 'bad_query');
  }
}

const rangeSchema = z.tuple([z.number().int().min(0), z.number().int().min(0)]).refine(([a, b]) => b >= a, 'range end must not be before its start');
const sortSchema = z.tuple([z.string().min(1).max(64), z.string().transform((s) => s.toUpperCase()).pipe(z.enum(['ASC', 'DESC']))]);

/**
 * Parse `sort=["field","ASC"]&range=[0,24]&filter={...}`. The filter is validated with the resource's
 * schema (unknown keys are refused, so a typo is a 400 rather than an ignored filter).
 */
export function parseListQuery<F extends z.ZodType>(query: Record<string, unknown>, filterSchema: F, sortable: readonly string[]): ListQuery<z.infer<F>> {
  const range = parseJson('range', query.range);
  let offset = 0;
  let limit = 25;
  if (range !== undefined) {
    const r = rangeSchema.safeParse(range);
    if (!r.success) throw new ValidationError(`range must be [start, end] with whole numbers, e.g. [0,24]: ${r.error.issues[0]?.message}`, 'bad_query');
    offset = r.data[0];
    limit = r.data[1] - r.data[0] + 1;
    if (limit > MAX_PAGE) throw new ValidationError(`A page holds at most ${MAX_PAGE} records`, 'bad_query');
  }
  const sortRaw = parseJson('sort', query.sort);
  let sort: string | undefined;
  let order: 'ASC' | 'DESC' = 'DESC';
  if (sortRaw !== undefined) {
    const s = sortSchema.safeParse(sortRaw);
    if (!s.success) throw new ValidationError('sort must be ["field","ASC"|"DESC"]', 'bad_query');
    if (!sortable.includes(s.data[0])) throw new ValidationError(`Cannot sort by ${s.data[0]}; sortable fields: ${sortable.join(', ')}`, 'bad_query');
    [sort, order] = s.data;
  }
  const f = filterSchema.safeParse(parseJson('filter', query.filter) ?? {});
  if (!f.success) {
    const i = f.error.issues[0];
    throw new ValidationError(`Bad filter${i?.path.length ? ` ${i.path.join('.')}` : ''}: ${i?.message}`, 'bad_query');
  }
  return { offset, limit, sort, order, filter: f.data };
}

/** Send a page with the Content-Range header react-admin reads the total from. */
export function sendPage(res: Response, resource: string, offset: number, items: unknown[], total: number): void {
  const end = items.length ? offset + items.length - 1 : offset;
  res.set('Content-Range', `${resource} ${offset}-${end}/${total}`);
  res.json(items);
}

/** A filter's `id` as react-admin's getMany sends it: a list (or a single id). */
export const idsFilter = z.union([z.array(z.string().min(1).max(64)).max(MAX_PAGE), z.string().min(1).max(64).transform((s) => [s])]).optional();

/** A date filter value: epoch ms or an ISO date/time. */
export const timeFilter = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (ISO 8601) or epoch milliseconds' });
      return z.NEVER;
    }
    return n;
  })
  .optional();

/**
 * Validate a router's `:id` as a Discord/X snowflake (digits only) before any handler builds a Redis
 * key from it: `router.param('id', snowflakeParam('member'))`.
 */
export function snowflakeParam(what: string) {
  return (_req: unknown, _res: unknown, next: (err?: unknown) => void, value: string) => {
    next(/^\d{1,20}$/.test(value) ? undefined : new ValidationError(`${what} id must be a Discord or X id (digits only)`, 'bad_id'));
  };
}
