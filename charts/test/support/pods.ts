import type { K8sObject } from './helm';

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  volumes?: Array<{ name: string; emptyDir?: unknown }>;
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

/** The pod template of a workload object (Deployment, StatefulSet, CronJob, Job), with the owner. */
export function podTemplates(objects: K8sObject[]): Array<{ owner: K8sObject; template: PodTemplate }> {
  const out: Array<{ owner: K8sObject; template: PodTemplate }> = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, unknown> | undefined;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'Job') out.push({ owner: o, template: spec!.template as PodTemplate });
    if (o.kind === 'CronJob') out.push({ owner: o, template: (spec!.jobTemplate as { spec: { template: PodTemplate } }).spec.template });
  }
  return out;
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const find = (objects: K8sObject[], kind: string, nameEnd: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.endsWith(nameEnd));
  if (!o) throw new Error(`no ${kind} named *${nameEnd} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};

/** Data of a rendered Secret or ConfigMap, decoded. */
export function dataOf(o: K8sObject): Record<string, string> {
  const data = (o.data ?? {}) as Record<string, string>;
  const decoded = o.kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : data;
  return { ...decoded, ...((o.stringData ?? {}) as Record<string, string>) };
}

/**
 * The environment a container gets in a cluster: envFrom ConfigMaps and Secrets, env values, secret and
 * ConfigMap keys, field refs (given), and $(VAR) expansion. Secrets the chart does not render come from
 * `external` (name -> data).
 */
export function resolveEnv(c: Container, objects: K8sObject[], fields: Record<string, string>, external: Record<string, Record<string, string>> = {}): Record<string, string> {
  const source = (kind: string, name: string): Record<string, string> => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (o) return dataOf(o);
    if (external[name]) return external[name];
    throw new Error(`${c.name} refers to ${kind} ${name}, which is neither rendered nor given`);
  };
  const env: Record<string, string> = {};
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) Object.assign(env, source('ConfigMap', f.configMapRef.name));
    if (f.secretRef) Object.assign(env, source('Secret', f.secretRef.name));
  }
  for (const e of c.env ?? []) {
    let v: string | undefined = e.value;
    const from = e.valueFrom;
    if (from?.secretKeyRef) v = source('Secret', from.secretKeyRef.name)[from.secretKeyRef.key];
    if (from?.configMapKeyRef) v = source('ConfigMap', from.configMapKeyRef.name)[from.configMapKeyRef.key];
    if (from?.fieldRef) v = fields[from.fieldRef.fieldPath];
    if (v === undefined) throw new Error(`${c.name}: env ${e.name} resolves to nothing`);
    env[e.name] = v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
  }
  return env;
}
