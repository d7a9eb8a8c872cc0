/** ISO-8601 week of a UTC instant, e.g. "2026-W48". Weeks start on Monday, UTC. */
export function isoWeek(at: Date | number): string {
  const d = new Date(typeof at === 'number' ? at : at.getTime());
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7; // Monday=1 .. Sunday=7
  day.setUTCDate(day.getUTCDate() + 4 - dow); // Thursday of this week decides the year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

export function isIsoWeek(value: string): boolean {
  const m = WEEK_RE.exec(value);
  if (!m) return false;
  const week = Number(m[2]);
  return week >= 1 && week <= 53;
}

/** The UTC day of an instant, e.g. "2026-11-24". */
export function utcDay(at: Date | number): string {
  return new Date(typeof at === 'number' ? at : at.getTime()).toISOString().slice(0, 10);
}
