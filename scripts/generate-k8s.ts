/**
 * Generates the plain manifests in k8s/base from the Helm chart, for people who do not use Helm:
 *   tsx scripts/generate-k8s.ts          # rewrite k8s/base/*.yaml
 *   tsx scripts/generate-k8s.ts --check  # exit 1 when they drift from the chart (the chart tests do this too)
 * `helm template` with k8s/values.yaml, one file per component, Helm's "# Source" comments dropped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const K8S_DIR = join(ROOT, 'k8s');
const HELM = process.env.HELM_BIN ?? join(ROOT, 'node_modules', '.k8s-tools', 'helm', 'helm');
const RELEASE = 'engagement-tracker';
const NAMESPACE = 'engagement-tracker';

const HEADER = '# Generated from charts/engagement-tracker with k8s/values.yaml by `npm run k8s:generate`. Do not edit.\n';

/** File name -> YAML text of k8s/base, as the chart renders it now. */
export function generatedManifests(): Record<string, string> {
  const r = spawnSync(HELM, ['template', RELEASE, join(ROOT, 'charts', 'engagement-tracker'), '--namespace', NAMESPACE, '-f', join(K8S_DIR, 'values.yaml')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const byComponent = new Map<string, Array<Record<string, unknown>>>();
  for (const doc of parseAllDocuments(r.stdout)) {
    const o = doc.toJS() as { metadata?: { labels?: Record<string, string> } } | null;
    if (!o) continue;
    const component = o.metadata?.labels?.['app.kubernetes.io/component'] ?? 'common';
    byComponent.set(component, [...(byComponent.get(component) ?? []), o]);
  }
  const files: Record<string, string> = {};
  for (const [component, objects] of [...byComponent].sort(([a], [b]) => a.localeCompare(b))) {
    files[`${component}.yaml`] = HEADER + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  }
  files['kustomization.yaml'] = `${HEADER}apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${NAMESPACE}\nresources:\n${Object.keys(files).map((f) => `  - ${f}`).join('\n')}\n`;
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const files = generatedManifests();
  const base = join(K8S_DIR, 'base');
  const stale = Object.entries(files).filter(([f, text]) => !existsSync(join(base, f)) || readFileSync(join(base, f), 'utf8') !== text);
  const extra = existsSync(base) ? readdirSync(base).filter((f) => !(f in files)) : [];
  if (check) {
    for (const [f] of stale) process.stderr.write(`k8s/base/${f} differs from the chart: run npm run k8s:generate\n`);
    for (const f of extra) process.stderr.write(`k8s/base/${f} is not generated from the chart\n`);
    process.exit(stale.length || extra.length ? 1 : 0);
  }
  for (const [f, text] of stale) writeFileSync(join(base, f), text);
  process.stdout.write(`k8s/base: ${Object.keys(files).length} files, ${stale.length} updated\n`);
}
