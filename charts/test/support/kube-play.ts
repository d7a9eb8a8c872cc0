import type { K8sObject } from './helm';
import { podman } from './podman';

/**
 * The kinds `podman kube play` (4.3) runs from a multi-document file. It skips Service, StatefulSet,
 * Job, CronJob and DaemonSet, and refuses a `kind: Secret` (it reads secretKeyRef from podman's own
 * secret store); RBAC, NetworkPolicy, HPA, PDB and Ingress mean nothing to it.
 */
export const PLAYABLE_KINDS = ['Deployment', 'ConfigMap'] as const;

const LOOPBACK = '127.0.0.1';

interface PlayContainer {
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  ports?: unknown;
  startupProbe?: unknown;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PlayPodSpec {
  hostNetwork?: boolean;
  containers: PlayContainer[];
  volumes?: Array<{ name: string; emptyDir?: unknown }>;
}

/** The pod spec of a rendered Deployment. */
export function podSpecOf(deployment: K8sObject): PlayPodSpec {
  return (deployment.spec as { template: { spec: PlayPodSpec } }).template.spec;
}

/**
 * The rendered objects as kube play can run them on one machine (it is not a cluster), changing only
 * what it cannot do:
 * - pods on the host network, without declared ports (podman refuses ports with host networking);
 * - Services are not run: where an env value names a rendered Service (a host name, or a URL's host) it
 *   names 127.0.0.1 instead, where that Service's pod listens on the same port on the host network
 *   (podman 4.3 ignores hostAliases for pods on the host network, so the names cannot be resolved);
 * - each emptyDir gets a name of its own pod (`<deployment>-<volume>`): podman 4.3 makes an emptyDir a
 *   named volume called after the volume alone, which every pod with a `tmp` volume would then share;
 * - no probes (podman would run them as in-container healthchecks; the test polls the endpoints);
 * - field refs (kube play resolves none) replaced by the value a cluster gives: `fields[fieldPath]`.
 * Everything else (images, commands, env, security contexts, volumes) is the chart's.
 */
export function forLocalPlay(objects: K8sObject[], fields: Record<string, string>): K8sObject[] {
  const serviceNames = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
  const playable = objects.filter((o) => (PLAYABLE_KINDS as readonly string[]).includes(o.kind)).map((o) => structuredClone(o));
  for (const o of playable) if (o.kind === 'Deployment') playablePodSpec(podSpecOf(o), o.metadata.name, serviceNames, fields);
  return playable;
}

/**
 * A Job's pod as kube play can run it (a `kind: Pod` named `<job>-pod`, restartPolicy from the Job's
 * template), changed as `forLocalPlay` changes the Deployments; `fields` gets the Job-name label a cluster
 * gives its pods.
 */
export function jobPod(job: K8sObject, serviceNames: string[], fields: Record<string, string>): K8sObject {
  const name = job.metadata.name;
  const spec = structuredClone((job.spec as { template: { spec: PlayPodSpec } }).template.spec);
  const labels = { 'batch.kubernetes.io/job-name': name, 'job-name': name };
  playablePodSpec(spec, `${name}-pod`, serviceNames, { ...fields, ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`metadata.labels['${k}']`, v])) });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-pod`, labels }, spec };
}

function playablePodSpec(pod: PlayPodSpec, owner: string, serviceNames: string[], fields: Record<string, string>): void {
  pod.hostNetwork = true;
  const renamed = new Map<string, string>();
  for (const v of pod.volumes ?? []) {
    if (!v.emptyDir) continue;
    renamed.set(v.name, `${owner}-${v.name}`);
    v.name = renamed.get(v.name)!;
  }
  for (const c of pod.containers) {
    for (const m of c.volumeMounts ?? []) m.name = renamed.get(m.name) ?? m.name;
    for (const e of c.env ?? []) {
      if (e.value !== undefined) e.value = serviceNames.reduce((v, svc) => (v === svc ? LOOPBACK : v.replace(new RegExp(`(?<=://)${svc}(?=[:/]|$)`, 'g'), LOOPBACK)), e.value);
      const path = e.valueFrom?.fieldRef?.fieldPath;
      if (!path) continue;
      if (fields[path] === undefined) throw new Error(`kube play cannot resolve fieldRef ${path}: give its value`);
      e.value = fields[path];
      delete e.valueFrom;
    }
    delete c.ports;
    delete c.startupProbe;
    delete c.livenessProbe;
    delete c.readinessProbe;
  }
}

/** Names of the pods kube play makes for these Deployments (`<deployment>-pod-0`: one replica). */
export const playPodNames = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment').map((o) => `${o.metadata.name}-pod-0`);

/** Pods, containers and volumes whose names start with `prefix`, as podman lists them. */
export async function leftovers(prefix: string): Promise<{ pods: string[]; containers: string[]; volumes: string[] }> {
  const names = async (args: string[]) =>
    (await podman(args)).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((n) => n.startsWith(prefix));
  return {
    pods: await names(['pod', 'ps', '--format', '{{.Name}}']),
    containers: await names(['ps', '-a', '--format', '{{.Names}}']),
    volumes: await names(['volume', 'ls', '--format', '{{.Name}}']),
  };
}

/**
 * Removes what an earlier run of this test left behind when it was killed before its cleanup: pods,
 * containers and secrets named `<base>-<pid>-...` whose process is gone (a run still alive keeps its own).
 */
export async function removeOrphans(base: string): Promise<string[]> {
  const orphan = (name: string) => {
    const m = new RegExp(`^${base}-(\\d+)-`).exec(name);
    if (!m) return false;
    try {
      process.kill(Number(m[1]), 0);
      return false;
    } catch {
      return true;
    }
  };
  const removed: string[] = [];
  const found = await leftovers(`${base}-`);
  for (const p of found.pods.filter(orphan)) {
    await podman(['pod', 'rm', '-f', '--time', '2', p], { allowFailure: true });
    removed.push(p);
  }
  for (const c of found.containers.filter(orphan)) {
    await podman(['rm', '-f', '--time', '2', c], { allowFailure: true });
    removed.push(c);
  }
  for (const v of found.volumes.filter(orphan)) {
    await podman(['volume', 'rm', '-f', v], { allowFailure: true });
    removed.push(v);
  }
  const secrets = (await podman(['secret', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').map((s) => s.trim());
  for (const s of secrets.filter(orphan)) {
    await podman(['secret', 'rm', s], { allowFailure: true });
    removed.push(s);
  }
  return removed;
}

/**
 * Gives a Deployment's pod the credentials of a Kubernetes API (a kubeconfig file from the host, and
 * KUBECONFIG pointing at it): what the service-account token a cluster mounts does, which kube play
 * does not mount.
 */
export function withKubeconfig(deployment: K8sObject, hostFile: string): void {
  const pod = podSpecOf(deployment) as PlayPodSpec & { volumes?: Array<Record<string, unknown>> };
  pod.volumes = [...(pod.volumes ?? []), { name: 'kubeconfig', hostPath: { path: hostFile, type: 'File' } }];
  for (const c of pod.containers) {
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'kubeconfig', mountPath: '/var/run/kubeconfig/config', readOnly: true } as { name: string; mountPath: string }];
    c.env = [...(c.env ?? []), { name: 'KUBECONFIG', value: '/var/run/kubeconfig/config' }];
  }
}
