import { seasonStatus, validateSeason, type Season, type SeasonSpec } from '../../domain';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, json, type StoreContext } from './context';

/** What an admin may change on a season, by its state: a running season keeps its start and categories. */
export type SeasonPatch = Partial<SeasonSpec>;

const EDITABLE_WHEN_RUNNING: ReadonlyArray<keyof SeasonSpec> = ['name', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'rewardTop'];

/**
 * Seasons (prefix:season:{id} hashes, indexed by start in prefix:seasons). Writes are checked against
 * every other season inside one script (saveSeason), so two admins cannot create clashing seasons at once. Each write is
 * audited with before/after. A season's own board is prefix:leaderboard:season:{id}; it is written only by
 * the award script and frozen (never written again) once the season has ended.
 */
export class SeasonStore {
  constructor(private readonly ctx: StoreContext) {}

  async list(): Promise<Season[]> {
    const ids = await this.ctx.redis.zrange(this.ctx.keys.seasons(), '0', '-1');
    return (await this.getMany(ids)).filter((s): s is Season => s !== null);
  }

  async get(id: string): Promise<Season | null> {
    return (await this.getMany([id]))[0] ?? null;
  }

  async getMany(ids: string[]): Promise<Array<Season | null>> {
    const now = this.ctx.now();
    return (await this.hashes(ids)).map((raw) => toSeason(raw, now));
  }

  /** Seasons running at `at` (those that count awards then). */
  async running(at = this.ctx.now()): Promise<Season[]> {
    return (await this.getMany(await this.runningIds(at))).filter((s): s is Season => s !== null);
  }

  /** Ids of the seasons running at `at`, from the windows hash alone (one read: the award path calls it). */
  async runningIds(at = this.ctx.now()): Promise<string[]> {
    const windows = await this.ctx.redis.hgetall(this.ctx.keys.seasonWindows());
    return Object.entries(windows)
      .filter(([, w]) => {
        const { s, e } = json<{ s: number; e: number }>(w, { s: 0, e: 0 });
        return s <= at && at < e;
      })
      .map(([id]) => id);
  }

  async create(spec: SeasonSpec, actor: string): Promise<Season> {
    const clean = normalise(spec);
    check(clean);
    const now = this.ctx.now();
    if (clean.endsAt <= now) throw new ValidationError('A new season must end in the future.', 'invalid');
    const id = `s${now.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    await this.write(id, null, clean, actor, 'season.create');
    return (await this.get(id))!;
  }

  /**
   * Change a season. A running season keeps its start and categories (its board already counts by them);
   * a new multiplier or cap applies to awards from the edit on. An ended season cannot change.
   */
  async update(id: string, patch: SeasonPatch, actor: string): Promise<{ season: Season; changed: boolean }> {
    const before = await this.get(id);
    if (!before) throw new NotFoundError(`No season ${id}`);
    if (before.status === 'ended') throw seasonEnded();
    if (before.status === 'running') {
      const bad = (Object.keys(patch) as Array<keyof SeasonSpec>).filter((k) => patch[k] !== undefined && !EDITABLE_WHEN_RUNNING.includes(k) && !same(patch[k], before[k]));
      if (bad.length) throw seasonRunning(bad);
      if (patch.endsAt !== undefined && patch.endsAt <= this.ctx.now()) throw new ValidationError('A running season must end in the future.', 'invalid');
      // A season tracks the usage of the caps it has only: a cap added while it runs would not know what was earned before.
      const added = (['capPerPost', 'capPerDay'] as const).filter((k) => patch[k] !== undefined && before[k] === undefined);
      if (added.length) throw capAdded(added);
    }
    const after = normalise({ ...specOf(before), ...patch });
    check(after);
    if (sameSpec(specOf(before), after)) return { season: before, changed: false };
    await this.write(id, specOf(before), after, actor, 'season.update');
    return { season: (await this.get(id))!, changed: true };
  }

  /** Delete a season that has not started (a started one has a board: it stays). */
  async remove(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    if (!before) throw new NotFoundError(`No season ${id}`);
    const started = () => new ConflictError('Only a season that has not started can be deleted.', 'season_started');
    if (before.status !== 'scheduled') throw started();
    const k = this.ctx.keys;
    // The check and the delete are one script, audited in it: a season that starts meanwhile keeps its board.
    const r = await this.ctx.run('deleteSeason', [k.seasons(), k.seasonWindows(), k.season(id), k.leaderboardSeason(id), k.audit()],
      [id, actor, JSON.stringify(specOf(before)), this.ctx.now()]);
    if (r === ScriptErrorCode.NotFound) throw new NotFoundError(`No season ${id}`);
    if (r === ScriptErrorCode.SeasonStarted) throw started();
  }

  /** Mark an ended season announced; true only for the first caller (so one announcement goes out). */
  async markAnnounced(id: string): Promise<boolean> {
    return (await this.ctx.redis.hsetnx(this.ctx.keys.season(id), 'announcedAt', String(this.ctx.now()))) === 1;
  }

  /** Undo markAnnounced when the announcement could not be sent, so the next check tries again. */
  async unmarkAnnounced(id: string): Promise<void> {
    await this.ctx.redis.hdel(this.ctx.keys.season(id), 'announcedAt');
  }

  /** Ended seasons nobody has announced yet, that ended within `withinMs` (older ones are history). */
  async unannounced(withinMs: number): Promise<Season[]> {
    const now = this.ctx.now();
    const rows = await this.hashes(await this.ctx.redis.zrange(this.ctx.keys.seasons(), '0', '-1'));
    return rows
      .filter((raw) => !raw.announcedAt)
      .map((raw) => toSeason(raw, now))
      .filter((s): s is Season => s !== null && s.status === 'ended' && s.endsAt > now - withinMs);
  }

  /** The seasons' hashes, in the order of `ids` (one pipeline). */
  private async hashes(ids: string[]): Promise<Array<Record<string, string>>> {
    if (!ids.length) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.season(id));
    return ((await p.exec()) ?? []).map(([, raw]) => raw as Record<string, string>);
  }

  private async write(id: string, before: SeasonSpec | null, after: SeasonSpec, actor: string, action: string): Promise<void> {
    const now = this.ctx.now();
    const fields: Record<string, string> = {
      id,
      name: after.name,
      startsAt: String(after.startsAt),
      endsAt: String(after.endsAt),
      multiplierPct: String(after.multiplierPct ?? 100),
      capPerPost: after.capPerPost === undefined ? '' : String(after.capPerPost),
      capPerDay: after.capPerDay === undefined ? '' : String(after.capPerDay),
      categories: JSON.stringify(after.categories ?? []),
      rewardTop: after.rewardTop === undefined ? '' : String(after.rewardTop),
      updatedAt: String(now),
    };
    if (!before) fields.createdAt = String(now);
    const window = JSON.stringify({ s: after.startsAt, e: after.endsAt, c: after.categories ?? [] });
    const k = this.ctx.keys;
    // The clash check and the write are one script: two admins cannot both save clashing seasons.
    const r = await this.ctx.run('saveSeason', [k.seasons(), k.seasonWindows(), k.season(id), k.audit()],
      [id, window, JSON.stringify(fields), actor, action, before ? JSON.stringify(before) : '', JSON.stringify(after), now]);
    // The season may have started, ended or gone since the caller read it: the script checks again.
    if (Array.isArray(r) && r[0] === ScriptErrorCode.NotFound) throw new NotFoundError(`No season ${id}`);
    if (Array.isArray(r) && r[0] === ScriptErrorCode.SeasonStarted) {
      throw r[1] === 'ended' ? seasonEnded() : r[1] === 'cap' ? capAdded((['capPerPost', 'capPerDay'] as const).filter((k) => before?.[k] === undefined && after[k] !== undefined)) : seasonRunning(['startsAt', 'categories']);
    }
    if (Array.isArray(r) && r[0] === ScriptErrorCode.SeasonClash) {
      const clash = await this.get(String(r[1]));
      throw new ConflictError(`It overlaps season "${clash?.name ?? r[1]}" (same time, and categories that meet). Give them different categories or times.`, 'season_overlap');
    }
  }

}

const seasonEnded = () => new ConflictError('This season has ended; its board is frozen.', 'season_ended');
const seasonRunning = (fields: string[]) => new ConflictError(`A running season keeps its ${fields.join(' and ')}.`, 'season_running');
const capAdded = (caps: string[]) =>
  new ConflictError(`A running season without a ${caps.map((k) => (k === 'capPerPost' ? 'cap per post' : 'cap per day')).join(' or ')} cannot get one: it has not counted what members earned so far.`, 'season_running');

function check(spec: SeasonSpec): void {
  const r = validateSeason(spec);
  if (!r.ok) throw new ValidationError(`${r.field}: ${r.reason}`, 'invalid');
}

function normalise(spec: SeasonSpec): SeasonSpec {
  const out: SeasonSpec = { name: spec.name.trim(), startsAt: spec.startsAt, endsAt: spec.endsAt };
  if (spec.multiplierPct !== undefined && spec.multiplierPct !== 100) out.multiplierPct = spec.multiplierPct;
  if (spec.capPerPost !== undefined) out.capPerPost = spec.capPerPost;
  if (spec.capPerDay !== undefined) out.capPerDay = spec.capPerDay;
  if (spec.categories?.length) out.categories = [...spec.categories].sort();
  if (spec.rewardTop !== undefined) out.rewardTop = spec.rewardTop;
  return out;
}

function specOf(s: Season): SeasonSpec {
  return normalise(s);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sameSpec = (a: SeasonSpec, b: SeasonSpec) => same(normalise(a), normalise(b));

function toSeason(raw: Record<string, string> | null | undefined, now: number): Season | null {
  if (!raw?.id) return null;
  const opt = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const base: SeasonSpec = { name: raw.name ?? '', startsAt: int(raw.startsAt), endsAt: int(raw.endsAt) };
  const s: Season = {
    ...base,
    id: raw.id,
    status: seasonStatus(base, now),
    multiplierPct: int(raw.multiplierPct, 100),
    categories: json<string[]>(raw.categories, []),
    createdAt: int(raw.createdAt),
    updatedAt: int(raw.updatedAt),
  };
  const capPerPost = opt(raw.capPerPost);
  const capPerDay = opt(raw.capPerDay);
  const rewardTop = opt(raw.rewardTop);
  if (capPerPost !== undefined) s.capPerPost = capPerPost;
  if (capPerDay !== undefined) s.capPerDay = capPerDay;
  if (rewardTop !== undefined) s.rewardTop = rewardTop;
  return s;
}
