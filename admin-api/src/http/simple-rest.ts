import type { Response } from 'express';
import { z } from 'zod';

/** A parsed ra-data-simple-rest list request. */
export interface ListQuery<F> {
  offset: number;
  limit: number;
  sort?: string;
  order: 'ASC' | 'DESC';
  filter: F;
}

const MAX_PAGE = 1000;

/** A query parameter holding JSON, given once. */
function jsonParam<S extends z.ZodType>(name: string, example: string, inner: S) {
  return z
    .string({ message: `${name} must be given once, as JSON` })
    .max(20_000, `${name} is too long`)
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} is not valid JSON (expected e.g. ${example})` });
        return z.NEVER;
      }
    })
    .pipe(inner)
    .optional();
}

const rangeSchema = z
  .tuple([z.number().int().min(0).max(1e9), z.number().int().min(0).max(1e9)], { message: 'range must be [start, end] with whole numbers, e.g. [0,24]' })
  .refine(([a, b]) => b >= a, 'range end must not be before its start')
  .refine(([a, b]) => b - a < MAX_PAGE, `A page holds at most ${MAX_PAGE} records`);
const order = z.enum(['ASC', 'DESC', 'asc', 'desc'], { message: 'sort order must be ASC or DESC' }).transform((s) => s.toUpperCase() as 'ASC' | 'DESC');

/**
 * The query of a list route: `sort=["field","ASC"]&range=[0,24]&filter={...}` and nothing else. The
 * filter is the resource's strict schema (an unknown key is a 400 rather than an ignored filter); sort
 * takes only the listed fields.
 */
export function listQuery<F extends z.ZodType>(filterSchema: F, sortable: readonly [string, ...string[]]) {
  const sort = z.tuple([z.enum(sortable, { message: `sortable fields: ${sortable.join(', ')}` }), order], { message: 'sort must be ["field","ASC"|"DESC"]' });
  return z
    .strictObject({
      range: jsonParam('range', '[0,24]', rangeSchema),
      sort: jsonParam('sort', '["id","ASC"]', sort),
      filter: jsonParam('filter', '{}', filterSchema),
    })
    .transform(
      (q): ListQuery<z.output<F>> => ({
        offset: q.range?.[0] ?? 0,
        limit: q.range ? q.range[1] - q.range[0] + 1 : 25,
        ...(q.sort ? { sort: q.sort[0] } : {}),
        order: q.sort?.[1] ?? 'DESC',
        filter: (q.filter ?? filterSchema.parse({})) as z.output<F>,
      }),
    );
}

/** Send a page with the Content-Range header react-admin reads the total from. */
export function sendPage(res: Response, resource: string, offset: number, items: unknown[], total: number): void {
  const end = items.length ? offset + items.length - 1 : offset;
  res.set('Content-Range', `${resource} ${offset}-${end}/${total}`);
  res.json(items);
}

/** A filter's `id` as react-admin's getMany sends it: a list (or a single id), each of the resource's id shape. */
export const idsFilter = (id: z.ZodType<string>) => z.union([z.array(id).min(1).max(MAX_PAGE), id.transform((s) => [s])]).optional();

// 1970 to 2100: what a date filter can sensibly mean.
const MAX_TIME = 4_102_444_800_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date filter value: epoch ms (a number or digits) or an ISO 8601 date/time. */
export const timeFilter = z
  .union([z.number().int(), z.string().max(40)])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d{1,13}$/.test(v) ? Number(v) : ISO_DATE.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(n) || n < 0 || n > MAX_TIME) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (ISO 8601) or epoch milliseconds' });
      return z.NEVER;
    }
    return n;
  })
  .optional();
