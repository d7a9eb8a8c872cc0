/**
 * Generates the chart's README parameter tables and values.schema.json from the annotated
 * values.yaml (`## @param` comments), so neither is edited by hand:
 *   tsx scripts/chart-docs.ts          # rewrite both
 *   tsx scripts/chart-docs.ts --check  # exit 1 when either is out of date (the chart tests do this too)
 * The README tables come from @bitnami/readme-generator-for-helm; the schema is inferred from the
 * default values (types; no unknown keys in any settings object) plus the rules below.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_DIR = join(ROOT, 'charts', 'engagement-tracker');

type Schema = Record<string, unknown>;

/** Settings whose contents are Kubernetes structures or free-form maps: any keys allowed. */
const FREE_FORM = new Set(['commonLabels', 'resources', 'nodeSelector', 'tolerations', 'affinity', 'podAnnotations', 'annotations', 'labels', 'serviceAccount.annotations', 'ingressControllerNamespaceSelector', 'metricsNamespaceSelector']);

const CRON_FIELD = String.raw`(\*|\?|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*`;
const CRON_NAMES = String.raw`(\*|\d+(-\d+)?|[A-Za-z]{3}(-[A-Za-z]{3})?)(\/\d+)?(,(\*|\d+(-\d+)?|[A-Za-z]{3}(-[A-Za-z]{3})?)(\/\d+)?)*`;
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const memory = { type: 'string', pattern: '^[0-9]+(Mi|Gi)$' };
const envVar = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, value: { type: 'string' }, valueFrom: { type: 'object' } }, additionalProperties: false };
const digest = { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' };

/** Rules beyond "same type as the default", by dotted path (`*` = any component). */
const RULES: Record<string, Schema> = {
  'batch.schedule': {
    type: 'string',
    description: 'five cron fields (minute hour day-of-month month day-of-week) or a macro such as @hourly',
    pattern: `^((@(yearly|annually|monthly|weekly|daily|midnight|hourly))|(${CRON_FIELD}\\s+${CRON_FIELD}\\s+${CRON_FIELD}\\s+${CRON_NAMES}\\s+${CRON_NAMES}))$`,
  },
  apiVersions: { type: 'array', items: { type: 'string', pattern: '^([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?$' } },
  'config.logLevel': { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  'config.publicBaseUrl': { type: 'string', pattern: '^https?://[^\\s/]+(/.*)?$' },
  'config.discordGuildId': { type: 'string', pattern: '^(\\d{5,20})?$' },
  'config.discordApplicationId': { type: 'string', pattern: '^(\\d{5,20})?$' },
  'config.adminRoleIds': { type: 'array', items: { type: 'string', pattern: '^\\d{5,20}$' } },
  'config.coreRoleIds': { type: 'array', items: { type: 'string', pattern: '^\\d{5,20}$' } },
  'config.extraEnv': { type: 'array', items: envVar },
  'config.redisKeyPrefix': { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
  'secrets.tokenEncryptionKey': { type: 'string', pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)?$' },
  'image.pullPolicy': { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
  'image.pullSecrets': { type: 'array', items: { type: 'string' } },
  '*.image.digest': digest,
  '*.port': port,
  'bot.healthPort': port,
  'redis.service.port': port,
  'externalRedis.port': port,
  'sandbox.discordPort': port,
  'sandbox.xPort': port,
  'externalRedis.url': { type: 'string', pattern: '^(rediss?://.+)?$' },
  'networkPolicy.egressCidrs': { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/\\d{1,3}$' } },
  'networkPolicy.kubeApiCidrs': { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/\\d{1,3}$' } },
  'networkPolicy.kubeApiPorts': { type: 'array', items: port },
  'externalRedis.cidrs': { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/\\d{1,3}$' } },
  'batch.heapPercent': { type: 'integer', minimum: 25, maximum: 90 },
  'batch.backoffLimit': { type: 'integer', minimum: 0, maximum: 6 },
  'batch.deadlineLikesBudgetUsd': { type: 'number', minimum: 0, maximum: 10000 },
  // A duration as the batch reads it (24h, 90m, 30s, 2d or ms; BATCH_LIKES_DUE_HORIZON).
  'batch.likesDueHorizon': { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?$' },
  'batch.reconnectLikesBudgetUsd': { type: 'number', minimum: 0, maximum: 10000 },
  // The batch reads a post for at most 7 days: the bot refuses more.
  'config.trackingWindowHours': { type: 'integer', minimum: 1, maximum: 168 },
  'batch.resources': { type: 'object', required: ['limits'], properties: { limits: { type: 'object', required: ['memory'], properties: { memory } } } },
  'redis.maxmemory': { type: 'string', pattern: '^[0-9]+(kb|mb|gb)?$' },
};

function ruleFor(path: string): Schema | undefined {
  if (RULES[path]) return RULES[path];
  const parts = path.split('.');
  return RULES[['*', ...parts.slice(1)].join('.')];
}

function infer(value: unknown, path: string): Schema {
  const rule = ruleFor(path);
  if (rule) return rule;
  const leaf = path.split('.').pop()!;
  if (FREE_FORM.has(leaf) || FREE_FORM.has(path.split('.').slice(-2).join('.'))) return { type: Array.isArray(value) ? 'array' : 'object' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'integer', minimum: 0 } : { type: 'number' };
  if (Array.isArray(value)) return { type: 'array', items: value.length ? infer(value[0], `${path}[]`) : {} };
  if (value && typeof value === 'object') {
    const properties: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(value)) properties[k] = infer(v, path ? `${path}.${k}` : k);
    return { type: 'object', properties, additionalProperties: false };
  }
  return {};
}

export function valuesSchema(valuesYaml: string): Schema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'engagement-tracker chart values', ...infer(parse(valuesYaml), '') };
}

/** README.md with the parameter tables regenerated from values.yaml. */
export function readmeWithParameters(): string {
  const tmp = mkdtempSync(join(tmpdir(), 'chart-readme-'));
  try {
    const readme = join(tmp, 'README.md');
    copyFileSync(join(CHART_DIR, 'README.md'), readme);
    const bin = join(ROOT, 'node_modules', '@bitnami', 'readme-generator-for-helm', 'bin', 'index.js');
    const r = spawnSync(process.execPath, [bin, '--values', join(CHART_DIR, 'values.yaml'), '--readme', readme], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`readme-generator failed:\n${r.stdout}\n${r.stderr}`);
    return readFileSync(readme, 'utf8');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function generated(): Record<string, string> {
  return {
    'values.schema.json': `${JSON.stringify(valuesSchema(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')), null, 2)}\n`,
    'README.md': readmeWithParameters(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(generated())) {
    const path = join(CHART_DIR, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (current === text) continue;
    if (check) {
      process.stderr.write(`${file} is out of date: run npm run chart:docs\n`);
      stale++;
    } else writeFileSync(path, text);
  }
  process.exit(stale ? 1 : 0);
}
