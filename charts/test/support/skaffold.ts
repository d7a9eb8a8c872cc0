import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { REPO } from './helm';

/** skaffold's published JSON schema for the apiVersion skaffold.yaml uses, kept as a fixture (see fixtures/README.md). */
export const SKAFFOLD_SCHEMA_VERSION = 'v4beta14';
export const SKAFFOLD_SCHEMA = join(REPO, 'charts', 'test', 'fixtures', `skaffold-${SKAFFOLD_SCHEMA_VERSION}.schema.json`);

export type SkaffoldConfig = Record<string, unknown> & { apiVersion: string; profiles?: Array<{ name: string; patches?: JsonPatch[] }> };
export interface JsonPatch {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export function readSkaffoldConfig(): SkaffoldConfig {
  return parse(readFileSync(join(REPO, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;
}

/**
 * A validator for skaffold configs. The schema is draft-07 with skaffold's own annotation keywords
 * (`preferredOrder`, `x-intellij-html-description`), which ajv is told to ignore (strict: false).
 */
export function skaffoldValidator(): (config: unknown) => ErrorObject[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(SKAFFOLD_SCHEMA, 'utf8')) as object);
  return (config) => (validate(config) ? [] : [...(validate.errors ?? [])]);
}

/** The config a profile produces: skaffold applies its JSON patches (RFC 6902 add/replace/remove) to the base. */
export function withProfile(config: SkaffoldConfig, name: string): Record<string, unknown> {
  const profile = config.profiles?.find((p) => p.name === name);
  if (!profile) throw new Error(`no profile ${name}`);
  const out = structuredClone(config) as Record<string, unknown>;
  delete out.profiles;
  for (const patch of profile.patches ?? []) applyPatch(out, patch);
  return out;
}

function applyPatch(doc: Record<string, unknown>, patch: JsonPatch): void {
  const keys = patch.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop()!;
  let parent: unknown = doc;
  for (const k of keys) {
    parent = (parent as Record<string, unknown> | undefined)?.[k];
    if (parent === undefined || typeof parent !== 'object') throw new Error(`patch ${patch.op} ${patch.path}: no parent at /${k}`);
  }
  const target = parent as Record<string, unknown>;
  const exists = Object.hasOwn(target, last);
  if (patch.op !== 'add' && !exists) throw new Error(`patch ${patch.op} ${patch.path}: nothing to ${patch.op}`);
  if (patch.op === 'remove') delete target[last];
  else if (Array.isArray(target) && patch.op === 'add') target.splice(last === '-' ? target.length : Number(last), 0, patch.value);
  else target[last] = patch.value;
}
