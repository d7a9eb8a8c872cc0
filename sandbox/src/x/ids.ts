/** X-style snowflake ids: time-ordered decimal strings. Compare with `cmpId`, never as strings. */
const TWEPOCH = 1288834974657n;
let seq = 0n;

export function snowflake(ms: number): string {
  seq = (seq + 1n) & 0x3fffffn;
  return (((BigInt(Math.floor(ms)) - TWEPOCH) << 22n) | seq).toString();
}

/** Epoch ms encoded in a snowflake id. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + TWEPOCH);
}

export function cmpId(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const idGt = (a: string, b: string) => cmpId(a, b) > 0;
export const idLt = (a: string, b: string) => cmpId(a, b) < 0;

/** Insert an id into an ascending array, keeping it sorted. */
export function insertSorted(arr: string[], id: string): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmpId(arr[mid]!, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, id);
}
