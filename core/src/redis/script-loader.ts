import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keySlot } from './key-slot';
import type { RedisClient } from './connection';

const SCRIPTS_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'scripts');
const INCLUDE_RE = /^--- @include "([A-Za-z0-9_]+)"\s*$/gm;

export interface ScriptDef {
  name: string;
  /** Keys every call passes; with `variadic`, the fixed keys before a per-call list of more. */
  numberOfKeys: number;
  variadic: boolean;
  lua: string;
}

/**
 * `awardEngagements-6.lua` -> { name: 'awardEngagements', numberOfKeys: 6 } (BullMQ's convention).
 * `removeTweet-5+.lua`: five fixed keys, then as many more as the call needs (all passed in KEYS).
 */
export function splitFilename(file: string): { name: string; numberOfKeys: number; variadic: boolean } {
  const m = /^([A-Za-z0-9_]+)-(\d+)(\+?)\.lua$/.exec(file);
  if (!m) throw new Error(`Lua script file name must be <name>-<numberOfKeys>.lua or <name>-<numberOfKeys>+.lua: ${file}`);
  return { name: m[1]!, numberOfKeys: Number(m[2]), variadic: m[3] === '+' };
}

function inline(lua: string, seen = new Set<string>()): string {
  return lua.replace(INCLUDE_RE, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return inline(readFileSync(join(SCRIPTS_DIR, 'includes', `${name}.lua`), 'utf8'), seen);
  });
}

/**
 * With REDIS_SCRIPT_KEY_CHECK=1 (the test suites set it), every script starts with this guard: a
 * local `redis` that refuses any command on a key the script was not given in KEYS. Scripts and
 * their includes call `redis.call`, so they all go through it. The commands' key is their first
 * argument (DEL and EXISTS: every argument), which holds for every command the scripts use.
 */
export const SCRIPT_KEY_CHECK = `local redis = (function(real)
  local declared = {}
  for _, k in ipairs(KEYS) do declared[k] = true end
  local function check(cmd, ...)
    local args = { ... }
    local upper = string.upper(cmd)
    local n = (upper == 'DEL' or upper == 'EXISTS' or upper == 'UNLINK') and #args or math.min(1, #args)
    for i = 1, n do
      if not declared[args[i]] then error('script touched a key not passed in KEYS: ' .. tostring(args[i])) end
    end
  end
  return setmetatable({
    call = function(cmd, ...) check(cmd, ...) return real.call(cmd, ...) end,
    pcall = function(cmd, ...) check(cmd, ...) return real.pcall(cmd, ...) end,
  }, { __index = real })
end)(redis)
`;

let cache: ScriptDef[] | undefined;

/** Every script in scripts/, includes inlined; read once per process. */
export function loadScripts(): ScriptDef[] {
  const guard = process.env.REDIS_SCRIPT_KEY_CHECK === '1' ? SCRIPT_KEY_CHECK : '';
  cache ??= readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((file) => ({ ...splitFilename(file), lua: guard + inline(readFileSync(join(SCRIPTS_DIR, file), 'utf8')) }));
  return cache;
}

export type ScriptRunner = (name: string, keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * Every key of one script call must live in one hash slot: Redis Cluster refuses anything else
 * (CROSSSLOT), and a single server would let a script reach keys a cluster could not. The
 * deployment's hash tag makes this always true; this guard says which script broke it, on any server.
 */
export function assertOneSlot(name: string, keys: string[]): void {
  if (keys.length < 2) return;
  const slot = keySlot(keys[0]!);
  const other = keys.find((k) => keySlot(k) !== slot);
  if (other !== undefined) throw new Error(`Lua script ${name} would touch keys in two hash slots (${keys[0]} and ${other})`);
}

/**
 * Register every script on a connection (EVALSHA with EVAL fallback, via ioredis defineCommand;
 * on a cluster the call goes to the node owning its first key) and return a runner that calls one
 * by name, checking the number of keys and that they share one slot.
 */
export function registerScripts(redis: RedisClient): ScriptRunner {
  const defs = new Map(loadScripts().map((d) => [d.name, d]));
  for (const d of defs.values()) {
    // A variadic script gets its key count with each call.
    if (!(d.name in redis)) redis.defineCommand(d.name, d.variadic ? { lua: d.lua } : { numberOfKeys: d.numberOfKeys, lua: d.lua });
  }
  return async (name, keys, args) => {
    const def = defs.get(name);
    if (!def) throw new Error(`Unknown Lua script ${name}`);
    if (def.variadic ? keys.length < def.numberOfKeys : keys.length !== def.numberOfKeys) {
      throw new Error(`${name} takes ${def.numberOfKeys}${def.variadic ? ' or more' : ''} keys, got ${keys.length}`);
    }
    assertOneSlot(name, keys);
    const fn = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!;
    return def.variadic ? fn.call(redis, keys.length, ...keys, ...args) : fn.call(redis, ...keys, ...args);
  };
}
