import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from './podman';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');
export const CHART = join(REPO, 'charts', 'engagement-tracker');

/** helm and kubectl: the official binaries shipped in an npm package, unpacked by install.sh. */
export const HELM = process.env.HELM_BIN ?? join(REPO, 'node_modules', '.k8s-tools', 'helm', 'helm');
export const KUBECTL = process.env.KUBECTL_BIN ?? join(REPO, 'node_modules', '.k8s-tools', 'kubectl', 'kubectl');

export function assertTools(): void {
  for (const bin of [HELM, KUBECTL]) if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`bash install.sh\` (it unpacks helm and kubectl from node_modules)`);
}

/** A Kubernetes object as rendered (only the fields the tests read are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface RenderOptions {
  valuesFiles?: string[];
  set?: Record<string, string>;
  /** --set-json (values that are not strings: lists, numbers). */
  setJson?: Record<string, unknown>;
  apiVersions?: string[];
  release?: string;
  namespace?: string;
}

/** The values flags of a render (helm template, lint, install). */
export function valuesArgs(o: RenderOptions): string[] {
  const args: string[] = [];
  for (const f of o.valuesFiles ?? []) args.push('-f', f);
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('--set-string', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.setJson ?? {})) args.push('--set-json', `${k}=${JSON.stringify(v)}`);
  return args;
}

export function helmArgs(o: RenderOptions): string[] {
  const args = [o.release ?? 'et', CHART, '--namespace', o.namespace ?? 'engagement', '--kube-version', '1.33.0', ...valuesArgs(o)];
  for (const a of o.apiVersions ?? []) args.push('--api-versions', a);
  return args;
}

/**
 * `helm install --dry-run=client`: what an install would print (NOTES.txt rendered) and create, without a
 * cluster. `helm install` has no --api-versions: list optional APIs in the chart's `apiVersions` value.
 */
export async function helmInstallDryRun(o: RenderOptions = {}): Promise<{ notes: string; objects: K8sObject[] }> {
  if (o.apiVersions?.length) throw new Error('helm install takes no --api-versions: use setJson { apiVersions: [...] }');
  const args = ['install', o.release ?? 'et', CHART, '--namespace', o.namespace ?? 'engagement', '--dry-run=client', '--output', 'json', ...valuesArgs(o)];
  const { stdout } = await run(HELM, args);
  const release = JSON.parse(stdout) as { info: { notes: string }; manifest: string };
  return { notes: release.info.notes, objects: parseManifests(release.manifest) };
}

/** `helm template`; rejects with helm's message when the chart refuses the values. */
export async function helmTemplate(o: RenderOptions = {}): Promise<K8sObject[]> {
  const { stdout } = await run(HELM, ['template', ...helmArgs(o)]);
  return parseManifests(stdout);
}

/** `helm template` that is expected to fail: resolves with helm's error output. */
export async function helmTemplateError(o: RenderOptions = {}): Promise<string> {
  const r = await run(HELM, ['template', ...helmArgs(o)], { allowFailure: true });
  if (r.code === 0) throw new Error('helm template succeeded but was expected to fail');
  return r.stderr;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => Boolean(o && o.kind));
}

export const scenario = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);
