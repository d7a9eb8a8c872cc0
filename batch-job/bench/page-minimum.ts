/**
 * Step 5 of noOracle (see no-oracle.ts): what a read of a member's likes from the top must return when
 * X's pages hold at least `pageMin` likes. Pure helpers.
 */

/** A like of the member's listing, in like order (oldest first), made at `at`. */
export interface ListedLike {
  id: string;
  at: number;
}

/**
 * The posts every read of the listing from the top made at any time in [from, by] returns, newest
 * first: the likes made by `from` (so they are listed at that read) that are among the newest
 * `pageMin` made by `by` (so nothing made since pushed them off its first page), less the posts
 * `shown` says may be hidden (they count as places, so nothing older is claimed in their stead).
 */
export function pageHead(likes: readonly ListedLike[], from: number, by: number, pageMin: number, shown: (post: string) => boolean): string[] {
  const made = firstIndex(likes.length, (j) => likes[j]!.at > by);
  const listed = Math.min(made, firstIndex(likes.length, (j) => likes[j]!.at > from));
  const out: string[] = [];
  for (let j = listed - 1; j >= Math.max(0, made - pageMin); j--) if (shown(likes[j]!.id)) out.push(likes[j]!.id);
  return out;
}

/** One member's reads from the top, for `cheapestReads`. Runs are indices into the runs stepped. */
export interface ReadPlan {
  /** Forced reads: each needs a read from the top at some run in [first, last]. */
  windows: ReadonlyArray<readonly [number, number]>;
  /** Likes made by each run (an index into the listing, oldest first). */
  made: (run: number) => number;
  day: (run: number) => number;
  pageMin: number;
  /** USD of the listing's likes at indices [from, to) that this plan prices (their like object and post). */
  usd: (from: number, to: number) => number;
  /** The same, for the likes whose forced read is among `windows` only. */
  forcedUsd: (from: number, to: number) => number;
}

/**
 * The least a member's reads from the top can bill for the likes `usd` prices, whatever runs they
 * happen at, as long as every window holds one (only runs inside some window are tried: a read
 * elsewhere bills more, never less). Each read bills its first page, the `pageMin` newest likes at
 * that run, on its UTC day, less those a read earlier that day already billed (they are older than
 * the likes made since it); a forced like made since the previous read that has fallen below the
 * first page is billed once more, by a read further down. Returns each read's bill, split into the
 * forced likes made since the previous read (`due`) and the rest (`extra`).
 */
export function cheapestReads(p: ReadPlan): Array<{ run: number; due: number; extra: number }> {
  if (!p.windows.length) return [];
  const inside = new Set<number>();
  for (const [a, b] of p.windows) for (let r = a; r <= b; r++) inside.add(r);
  const c = [...inside].sort((x, y) => x - y);
  /** The earliest window end among windows starting after run r (none may lie wholly between two reads). */
  const byStart = [...p.windows].sort((x, y) => y[0] - x[0]);
  const endAfterRun = new Map<number, number>();
  let i = 0;
  let min = Infinity;
  for (const r of [...c].reverse()) {
    while (i < byStart.length && byStart[i]![0] > r) min = Math.min(min, byStart[i++]![1]);
    endAfterRun.set(r, min);
  }
  const endAfter = (r: number) => endAfterRun.get(r)!;
  const lastStart = byStart[0]![0];
  const cost = (prev: number | null, r: number) => {
    const made = p.made(r);
    const before = prev === null ? 0 : p.made(prev);
    const from = Math.max(0, made - p.pageMin);
    const lo = prev !== null && p.day(prev) === p.day(r) ? Math.max(from, before) : from;
    const due = p.forcedUsd(before, made);
    return { total: p.usd(lo, made) + p.forcedUsd(before, Math.max(before, from)), due };
  };
  const best: Array<{ usd: number; prev: number; due: number; total: number }> = [];
  const startEnd = Math.min(...p.windows.map((w) => w[1]));
  c.forEach((r, j) => {
    let pick = r <= startEnd ? { ...cost(null, r), prev: -1 } : null;
    for (let k = 0; k < j; k++) {
      if (!Number.isFinite(best[k]!.usd) || endAfter(c[k]!) < r) continue;
      const t = cost(c[k]!, r);
      if (!pick || best[k]!.usd + t.total < (pick.prev < 0 ? 0 : best[pick.prev]!.usd) + pick.total) pick = { ...t, prev: k };
    }
    best.push(pick ? { usd: (pick.prev < 0 ? 0 : best[pick.prev]!.usd) + pick.total, prev: pick.prev, due: pick.due, total: pick.total } : { usd: Infinity, prev: -1, due: 0, total: 0 });
  });
  let end = -1;
  c.forEach((r, j) => {
    if (r >= lastStart && Number.isFinite(best[j]!.usd) && (end < 0 || best[j]!.usd < best[end]!.usd)) end = j;
  });
  const out: Array<{ run: number; due: number; extra: number }> = [];
  for (let j = end; j >= 0; j = best[j]!.prev) out.unshift({ run: c[j]!, due: best[j]!.due, extra: best[j]!.total - best[j]!.due });
  return out;
}

/** The first index in [0, n) where `after` holds (it holds from there on), n if none. */
export function firstIndex(n: number, after: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
