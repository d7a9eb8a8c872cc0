import type { K8sObject } from './helm';
import { byKind, podTemplates } from './pods';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string };
}
interface Rule {
  ports?: Array<{ port: number; protocol?: string }>;
  to?: Peer[];
  from?: Peer[];
}
interface Policy {
  spec: { podSelector: Selector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
}

/** One pod of the release: its component, labels and the TCP ports its containers listen on. */
export interface Pod {
  component: string;
  labels: Labels;
  ports: number[];
}

const matches = (sel: Selector | undefined, labels: Labels) => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

/**
 * Whether a peer of a rule covers a pod of the release's own namespace. An ipBlock is taken to cover pod
 * IPs too (many network plugins apply it to them), so a broad ipBlock can only make the result looser.
 */
function peerCovers(peer: Peer, pod: Pod, namespace: string): boolean {
  if (peer.ipBlock) return true;
  if (peer.namespaceSelector && !matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace })) return false;
  return peer.podSelector ? matches(peer.podSelector, pod.labels) : true;
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Pod, port: number, namespace: string): boolean {
  const portOk = !rule.ports || rule.ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
  return portOk && (!peers || peers.length === 0 || peers.some((p) => peerCovers(p, other, namespace)));
}

/** What the NetworkPolicies selecting `pod` allow in one direction (no policy of that type: everything). */
function allowed(policies: Policy[], pod: Pod, direction: 'Ingress' | 'Egress', other: Pod, port: number, namespace: string): boolean {
  const selecting = policies.filter((p) => p.spec.policyTypes.includes(direction) && matches(p.spec.podSelector, pod.labels));
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (direction === 'Ingress' ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])).some((r) => ruleAllows(r, direction === 'Ingress' ? r.from : r.to, other, port, namespace)),
  );
}

export function releasePods(objects: K8sObject[]): Pod[] {
  return podTemplates(objects).map(({ owner, template }) => ({
    component: owner.metadata.labels!['app.kubernetes.io/component']!,
    labels: template.metadata.labels,
    ports: template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)),
  }));
}

/**
 * The connections between the release's own pods that its NetworkPolicies let through, as
 * "from->to:port", for egress (what the source may send), ingress (what the destination accepts), and both.
 */
export function reachability(objects: K8sObject[], namespace: string): { egress: string[]; ingress: string[]; both: string[] } {
  const policies = byKind(objects, 'NetworkPolicy') as unknown as Policy[];
  const pods = releasePods(objects);
  const out = { egress: [] as string[], ingress: [] as string[], both: [] as string[] };
  for (const from of pods) {
    for (const to of pods) {
      if (from === to) continue;
      for (const port of to.ports) {
        const e = allowed(policies, from, 'Egress', to, port, namespace);
        const i = allowed(policies, to, 'Ingress', from, port, namespace);
        const edge = `${from.component}->${to.component}:${port}`;
        if (e) out.egress.push(edge);
        if (i) out.ingress.push(edge);
        if (e && i) out.both.push(edge);
      }
    }
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** Whether the NetworkPolicies let a pod labelled `fromLabels` in namespace `fromNamespace` reach `to` on `port`. */
export function admits(objects: K8sObject[], to: Pod, fromLabels: Labels, fromNamespace: string, port: number): boolean {
  const policies = byKind(objects, 'NetworkPolicy') as unknown as Policy[];
  return allowed(policies, to, 'Ingress', { component: 'outside', labels: fromLabels, ports: [] }, port, fromNamespace);
}
