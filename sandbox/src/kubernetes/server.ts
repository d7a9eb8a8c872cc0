import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesFields, matchesLabels, ObjectStore, type KubeObject, type ResourceKind, type WatchEvent } from './store';
import { JobController } from './job-controller';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

export interface KubernetesDoubleOptions {
  /** Bearer token the double demands (any request without it gets 401). Default 'sandbox-token'. */
  token?: string;
  /** Objects to start with (CronJobs, Jobs, Pods), each with metadata.namespace. */
  seed?: KubeObject[];
  /** Act like the Job controller: a created Job gets a running Pod at once. Default true. */
  autoStartJobs?: boolean;
  host?: string;
  port?: number;
  /**
   * Run each created Job's workload (e.g. the batch program as a child process); the Job then
   * completes on exit 0 and fails otherwise (OOMKilled on 137), as a cluster would show it.
   */
  executor?: JobExecutor;
}

/** Runs a Job's workload; resolves with how its container ended. */
export type JobExecutor = (job: KubeObject) => Promise<{ exitCode: number; reason?: string }>;

export interface KubernetesDouble {
  readonly url: string;
  readonly token: string;
  readonly store: ObjectStore;
  /** Drive Jobs like the Job controller and kubelet would (complete, fail, OOM, image pull...). */
  readonly jobs: JobController;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** A kubeconfig (YAML-compatible JSON) pointing at the double, for KUBECONFIG files. */
  kubeconfig(namespace?: string): string;
  /** Number of open watch streams. */
  openWatches(): number;
  /** End every open watch stream cleanly, as the API server does at its watch timeout. */
  dropWatches(): void;
  /** Cut every open watch stream mid-flight (a network error for the client). */
  breakWatches(): void;
  close(): Promise<void>;
}

const GROUPS: Record<string, { prefix: string; kinds: ResourceKind[] }> = {
  batch: { prefix: '/apis/batch/v1', kinds: ['cronjobs', 'jobs'] },
  core: { prefix: '/api/v1', kinds: ['pods'] },
};

const KIND_NAMES: Record<ResourceKind, { kind: string; apiVersion: string }> = {
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  pods: { kind: 'Pod', apiVersion: 'v1' },
};

interface Route {
  kind: ResourceKind;
  namespace?: string;
  name?: string;
}

function route(path: string): Route | null {
  for (const { prefix, kinds } of Object.values(GROUPS)) {
    if (!path.startsWith(`${prefix}/`)) continue;
    const rest = path.slice(prefix.length + 1).split('/').filter(Boolean).map(decodeURIComponent);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest.splice(0, 2);
    }
    const [kind, name, sub] = rest;
    if (!kind || !(kinds as string[]).includes(kind) || sub) return null;
    return { kind: kind as ResourceKind, namespace, name };
  }
  return null;
}

function status(res: ServerResponse, code: number, reason: string, message: string, details: Record<string, unknown> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }),
  );
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * A Kubernetes API server double for batch/v1 CronJobs and Jobs and v1 Pods: get, list (label and
 * field selectors), create, delete, and watch (chunked JSON lines, resourceVersion resume). It speaks
 * the real wire format, so @kubernetes/client-node's BatchV1Api, Watch and informers work against it.
 */
export async function startKubernetesDouble(opts: KubernetesDoubleOptions = {}): Promise<KubernetesDouble> {
  const token = opts.token ?? 'sandbox-token';
  const store = new ObjectStore();
  const requests: RecordedRequest[] = [];
  const watches = new Set<ServerResponse>();
  const jobs = new JobController(store, opts.autoStartJobs ?? true);
  for (const o of opts.seed ?? []) {
    const kind = (Object.entries(KIND_NAMES).find(([, v]) => v.kind === o.kind)?.[0] ?? 'jobs') as ResourceKind;
    store.create(kind, o.metadata?.namespace ?? 'default', o);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://double');
    const query = Object.fromEntries(url.searchParams);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query };
    if (req.headers.authorization) rec.authorization = req.headers.authorization;
    requests.push(rec);
    if (requests.length > 10_000) requests.splice(0, 1000);
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const r = route(url.pathname);
    if (!r) return status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const names = KIND_NAMES[r.kind];
    const group = r.kind === 'pods' ? '' : 'batch';

    if (req.method === 'GET' && r.name) {
      const o = store.get(r.kind, r.namespace ?? 'default', r.name);
      if (!o) return status(res, 404, 'NotFound', `${r.kind}${group ? `.${group}` : ''} "${r.name}" not found`, { name: r.name, group, kind: r.kind });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      return;
    }
    if (req.method === 'GET') {
      const labelSel = url.searchParams.get('labelSelector');
      const fieldSel = url.searchParams.get('fieldSelector');
      const match = (o: KubeObject) => (!r.namespace || o.metadata?.namespace === r.namespace) && matchesLabels(o.metadata?.labels, labelSel) && matchesFields(o, fieldSel);
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
        return watch(req, res, r.kind, match, Number(url.searchParams.get('resourceVersion') || 0), Number(url.searchParams.get('timeoutSeconds') || 0));
      }
      const items = store.list(r.kind, r.namespace).filter(match);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ kind: `${names.kind}List`, apiVersion: names.apiVersion, metadata: { resourceVersion: String(store.resourceVersion) }, items }),
      );
      return;
    }
    if (req.method === 'POST' && !r.name && r.namespace) {
      let body: KubeObject;
      try {
        body = (await readBody(req)) as KubeObject;
      } catch {
        return status(res, 400, 'BadRequest', 'invalid JSON body');
      }
      rec.body = body;
      if (!body || typeof body !== 'object' || (!body.metadata?.name && !body.metadata?.generateName)) {
        return status(res, 422, 'Invalid', `${names.kind}.${group} is invalid: metadata.name: Required value: name or generateName is required`);
      }
      if (body.metadata?.namespace && body.metadata.namespace !== r.namespace) {
        return status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      if (url.searchParams.get('dryRun') === 'All') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ...body, metadata: { ...body.metadata, namespace: r.namespace } }));
        return;
      }
      const created = store.create(r.kind, r.namespace, { ...body, kind: names.kind, apiVersion: names.apiVersion });
      if (!created) return status(res, 409, 'AlreadyExists', `${r.kind}.${group} "${body.metadata?.name}" already exists`, { name: body.metadata?.name, group, kind: r.kind });
      const out = r.kind === 'jobs' ? (jobs.onCreated(created) ?? created) : created;
      if (r.kind === 'jobs' && opts.executor) execute(opts.executor, created);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      return;
    }
    if (req.method === 'DELETE' && r.name && r.namespace) {
      const gone = store.delete(r.kind, r.namespace, r.name);
      if (!gone) return status(res, 404, 'NotFound', `${r.kind}.${group} "${r.name}" not found`, { name: r.name, group, kind: r.kind });
      if (r.kind === 'jobs') jobs.onDeleted(r.namespace, r.name);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(gone));
      return;
    }
    return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported by the Kubernetes double on ${url.pathname}`);
  };

  const execute = (executor: JobExecutor, job: KubeObject) => {
    const name = job.metadata!.name!;
    const ns = job.metadata!.namespace!;
    executor(job).then(
      ({ exitCode, reason }) => {
        if (!store.get('jobs', ns, name)) return;
        if (exitCode === 0) jobs.complete(name, ns);
        else jobs.fail(name, { container: { terminated: { reason: reason ?? (exitCode === 137 ? 'OOMKilled' : 'Error'), exitCode } } }, ns);
      },
      (err: unknown) => {
        if (store.get('jobs', ns, name)) jobs.fail(name, { container: { waiting: { reason: 'CreateContainerError', message: err instanceof Error ? err.message : String(err) } } }, ns);
      },
    );
  };

  const watch = (req: IncomingMessage, res: ServerResponse, kind: ResourceKind, match: (o: KubeObject) => boolean, fromRv: number, timeoutSeconds: number): void => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const send = (e: WatchEvent) => {
      if (match(e.object)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    };
    if (fromRv > 0) {
      for (const e of store.eventsSince(kind, fromRv)) send(e);
    } else {
      for (const o of store.list(kind)) send({ type: 'ADDED', object: o, rv: 0 });
    }
    const unsubscribe = store.subscribe((k, e) => {
      if (k === kind) send(e);
    });
    watches.add(res);
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    const cleanup = () => {
      unsubscribe();
      watches.delete(res);
      if (timer) clearTimeout(timer);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) status(res, 500, 'InternalError', err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;

  return {
    url,
    token,
    store,
    jobs,
    requests,
    kubeconfig(namespace = 'default') {
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'sandbox', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'sandbox', user: { token } }],
        contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace } }],
        'current-context': 'sandbox',
      });
    },
    openWatches: () => watches.size,
    dropWatches() {
      for (const w of watches) w.end();
      watches.clear();
    },
    breakWatches() {
      for (const w of watches) w.destroy();
      watches.clear();
    },
    async close() {
      for (const w of watches) w.destroy();
      watches.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
