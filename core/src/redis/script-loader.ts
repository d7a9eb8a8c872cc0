import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const SCRIPTS_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'scripts');
const INCLUDE_RE = /^--- @include "([A-Za-z0-9_]+)"\s*$/gm;

export interface ScriptDef {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** `awardEngagements-6.lua` -> { name: 'awardEngagements', numberOfKeys: 6 } (BullMQ's convention). */
export function splitFilename(file: string): { name: string; numberOfKeys: number } {
  const m = /^([A-Za-z0-9_]+)-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`Lua script file name must be <name>-<numberOfKeys>.lua: ${file}`);
  return { name: m[1]!, numberOfKeys: Number(m[2]) };
}

function inline(lua: string, seen = new Set<string>()): string {
  return lua.replace(INCLUDE_RE, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return inline(readFileSync(join(SCRIPTS_DIR, 'includes', `${name}.lua`), 'utf8'), seen);
  });
}

let cache: ScriptDef[] | undefined;

/** Every script in scripts/, includes inlined; read once per process. */
export function loadScripts(): ScriptDef[] {
  cache ??= readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((file) => ({ ...splitFilename(file), lua: inline(readFileSync(join(SCRIPTS_DIR, file), 'utf8')) }));
  return cache;
}

export type ScriptRunner = (name: string, keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * Register every script on a connection (EVALSHA with EVAL fallback, via ioredis defineCommand) and
 * return a runner that calls one by name.
 */
export function registerScripts(redis: Redis): ScriptRunner {
  const defs = new Map(loadScripts().map((d) => [d.name, d]));
  for (const d of defs.values()) {
    if (!(d.name in redis)) redis.defineCommand(d.name, { numberOfKeys: d.numberOfKeys, lua: d.lua });
  }
  return (name, keys, args) => {
    const def = defs.get(name);
    if (!def) throw new Error(`Unknown Lua script ${name}`);
    if (keys.length !== def.numberOfKeys) throw new Error(`${name} takes ${def.numberOfKeys} keys, got ${keys.length}`);
    const fn = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!;
    return fn.call(redis, ...keys, ...args);
  };
}
