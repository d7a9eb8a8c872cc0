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
