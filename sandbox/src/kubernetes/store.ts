import { randomUUID } from 'node:crypto';

/** The subset of a Kubernetes object the double needs to know about. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown> & { [k: string]: unknown };
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
  rv: number;
}

export type ResourceKind = 'cronjobs' | 'jobs' | 'pods';

const clone = <T>(v: T): T => structuredClone(v);

/**
 * In-memory object store of a tiny API server: one resourceVersion counter, one event log per
 * resource kind for watches, objects keyed by namespace/name.
 */
export class ObjectStore {
  private rv = 1;
  private readonly objects = new Map<ResourceKind, Map<string, KubeObject>>();
  private readonly events = new Map<ResourceKind, WatchEvent[]>();
  private readonly listeners = new Set<(kind: ResourceKind, e: WatchEvent) => void>();

  constructor() {
    for (const k of ['cronjobs', 'jobs', 'pods'] as const) {
      this.objects.set(k, new Map());
      this.events.set(k, []);
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  list(kind: ResourceKind, namespace?: string): KubeObject[] {
    return [...this.objects.get(kind)!.values()].filter((o) => !namespace || o.metadata?.namespace === namespace).map(clone);
  }

  get(kind: ResourceKind, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(kind)!.get(`${namespace}/${name}`);
    return o ? clone(o) : undefined;
  }

  /** Create; returns null when the name is taken. Fills uid, resourceVersion, creationTimestamp. */
  create(kind: ResourceKind, namespace: string, obj: KubeObject): KubeObject | null {
    const o = clone(obj);
    o.metadata = { ...(o.metadata ?? {}) };
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
    const key = `${namespace}/${o.metadata.name}`;
    if (this.objects.get(kind)!.has(key)) return null;
    o.metadata.namespace = namespace;
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date().toISOString();
    return this.write(kind, key, o, 'ADDED');
  }

  /** Replace or change an existing object (a controller's status update). */
  update(kind: ResourceKind, namespace: string, name: string, change: (o: KubeObject) => void): KubeObject | undefined {
    const key = `${namespace}/${name}`;
    const cur = this.objects.get(kind)!.get(key);
    if (!cur) return undefined;
    const o = clone(cur);
    change(o);
    return this.write(kind, key, o, 'MODIFIED');
  }

  delete(kind: ResourceKind, namespace: string, name: string): KubeObject | undefined {
    const key = `${namespace}/${name}`;
    const cur = this.objects.get(kind)!.get(key);
    if (!cur) return undefined;
    this.objects.get(kind)!.delete(key);
    const o = clone(cur);
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    this.emit(kind, { type: 'DELETED', object: o, rv: this.rv });
    return clone(o);
  }

  /** Events of a kind after a resourceVersion. */
  eventsSince(kind: ResourceKind, rv: number): WatchEvent[] {
    return this.events.get(kind)!.filter((e) => e.rv > rv);
  }

  subscribe(fn: (kind: ResourceKind, e: WatchEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private write(kind: ResourceKind, key: string, o: KubeObject, type: WatchEventType): KubeObject {
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    this.objects.get(kind)!.set(key, o);
    this.emit(kind, { type, object: clone(o), rv: this.rv });
    return clone(o);
  }

  private emit(kind: ResourceKind, e: WatchEvent): void {
    const log = this.events.get(kind)!;
    log.push(e);
    if (log.length > 5000) log.splice(0, log.length - 5000);
    for (const fn of this.listeners) fn(kind, e);
  }
}

/** Equality-based label selectors: `a=b,c==d,e!=f`, plus bare `key` (exists). */
export function matchesLabels(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return l[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = /^([^=]+)==?(.*)$/.exec(term);
      if (eq) return l[eq[1]!.trim()] === eq[2]!.trim();
      return term in l;
    });
}

/** Field selectors the double understands: metadata.name and metadata.namespace equality. */
export function matchesFields(o: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=').map((s) => s.trim());
    if (k === 'metadata.name') return o.metadata?.name === v;
    if (k === 'metadata.namespace') return o.metadata?.namespace === v;
    return true;
  });
}
