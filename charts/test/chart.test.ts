/**
 * The Helm chart: `helm lint --strict` and `helm template` of every ci/ scenario, every object checked
 * against the Kubernetes (and prometheus-operator) schemas, and the policies the chart promises.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadAdminApiConfig } from '../../admin-api/src/config';
import { loadJobConfig } from '../../batch-job/src/config';
import { batchConfigSchema } from '../../batch-job/src/engine/config';
import { loadBotConfig } from '../../bot/src/config';
import { generated } from '../../scripts/chart-docs';
import { assertTools, CHART, HELM, helmInstallDryRun, helmTemplate, helmTemplateError, REPO, scenario, valuesArgs, type K8sObject } from './support/helm';
import { admits, reachability, releasePods } from './support/network-policy';
import { byKind, dataOf, find, podTemplates, resolveEnv, type Container } from './support/pods';
import { run } from './support/podman';
import { validateObject } from './support/schemas';

const SCENARIOS = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml')).map((f) => f.replace(/-values\.yaml$/, ''));
const MONITORING_API = 'monitoring.coreos.com/v1';
const rendered: Record<string, K8sObject[]> = {};
const TOKENS = ['DISCORD_BOT_TOKEN', 'DISCORD_CLIENT_SECRET', 'TWITTER_CLIENT_ID', 'TWITTER_CLIENT_SECRET', 'TWITTER_BEARER_TOKEN', 'TOKEN_ENCRYPTION_KEY'];

beforeAll(async () => {
  assertTools();
  for (const s of SCENARIOS) rendered[s] = await helmTemplate({ valuesFiles: [scenario(s)], apiVersions: s === 'monitoring' ? [MONITORING_API] : [] });
}, 300_000);

describe('helm lint and template', () => {
  it('has the scenarios CI renders', () => {
    expect(SCENARIOS).toEqual(expect.arrayContaining(['defaults', 'sandbox', 'external-redis', 'monitoring', 'ingress-hpa-pdb', 'local-play']));
  });

  it.each(SCENARIOS)('helm lint --strict passes for %s', async (s) => {
    // helm lint has no --api-versions: the monitoring scenario lists the Prometheus Operator API in the
    // chart's apiVersions value instead, so its ServiceMonitors, PrometheusRule and dashboards are linted too.
    const values = valuesArgs({ valuesFiles: [scenario(s)], ...(s === 'monitoring' ? { setJson: { apiVersions: [MONITORING_API] } } : {}) });
    const r = await run(HELM, ['lint', '--strict', CHART, ...values], { allowFailure: true });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('the apiVersions value renders the monitoring objects exactly as --api-versions does (what lint sees)', async () => {
    const monitoringObjects = (objects: K8sObject[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'monitoring' || o.kind === 'ServiceMonitor');
    const viaValue = monitoringObjects(await helmTemplate({ valuesFiles: [scenario('monitoring')], setJson: { apiVersions: [MONITORING_API] } }));
    expect(new Set(viaValue.map((o) => o.kind))).toEqual(new Set(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']));
    expect(viaValue).toEqual(monitoringObjects(rendered.monitoring!));
    expect(await helmTemplateError({ valuesFiles: [scenario('monitoring')], setJson: { apiVersions: ['monitoring.coreos.com'] } })).toMatch(/apiVersions\/0.*does not match pattern/);
  });

  it.each(SCENARIOS)('every object of %s is valid against the Kubernetes / prometheus-operator schemas', async (s) => {
    expect(rendered[s]!.length).toBeGreaterThan(5);
    for (const o of rendered[s]!) expect(await validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });

  it('the generated chart README tables and values.schema.json are up to date (npm run chart:docs)', () => {
    for (const [file, text] of Object.entries(generated())) expect(readFileSync(join(CHART, file), 'utf8'), file).toBe(text);
  });
});

describe('policies over every rendered scenario', () => {
  it.each(SCENARIOS)('%s: every pod and container is locked down, has resources, and long-running ones have probes', (s) => {
    for (const { owner, template } of podTemplates(rendered[s]!)) {
      const where = `${s} ${owner.kind}/${owner.metadata.name}`;
      const pod = template.spec;
      expect(pod.securityContext, where).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken, where).toBe(owner.metadata.name.endsWith('-admin-api'));
      for (const c of pod.containers) {
        expect(c.securityContext, `${where} ${c.name}`).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(c.securityContext?.capabilities?.add, where).toBeUndefined();
        expect(c.resources?.requests?.cpu && c.resources.requests.memory && c.resources.limits?.memory, `${where} resources`).toBeTruthy();
        expect(c.volumeMounts?.some((m) => m.mountPath === '/tmp'), `${where} writable /tmp`).toBe(true);
        if (owner.kind !== 'CronJob') expect(c.livenessProbe && c.readinessProbe, `${where} probes`).toBeTruthy();
        // Images: pinned tag or digest, never latest.
        expect(c.image, where).toMatch(/(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/);
        expect(c.image, where).not.toMatch(/:latest$/);
      }
    }
  });

  it.each(SCENARIOS)('%s: standard labels on every object; selectors match their pod templates', (s) => {
    const objects = rendered[s]!;
    for (const o of objects) {
      expect(Object.keys(o.metadata.labels ?? {}), `${o.kind}/${o.metadata.name}`).toEqual(
        expect.arrayContaining(['helm.sh/chart', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by']),
      );
    }
    const pods = podTemplates(objects).map((p) => p.template.metadata.labels);
    const matches = (sel: Record<string, string>) => pods.some((labels) => Object.entries(sel).every(([k, v]) => labels[k] === v));
    for (const { owner, template } of podTemplates(objects)) {
      if (owner.kind === 'CronJob') continue;
      const sel = (owner.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(Object.entries(sel).every(([k, v]) => template.metadata.labels[k] === v), `${owner.kind}/${owner.metadata.name}`).toBe(true);
      expect(Object.keys(sel).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
    for (const svc of byKind(objects, 'Service')) expect(matches((svc.spec as { selector: Record<string, string> }).selector), `Service/${svc.metadata.name}`).toBe(true);
    for (const np of byKind(objects, 'NetworkPolicy')) expect(matches((np.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels), `NetworkPolicy/${np.metadata.name}`).toBe(true);
    for (const pdb of byKind(objects, 'PodDisruptionBudget')) expect(matches((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels)).toBe(true);
  });

  it.each(SCENARIOS)('%s: no secret value and no token key in any ConfigMap; tokens only through secretKeyRef', (s) => {
    const objects = rendered[s]!;
    const secretValues = byKind(objects, 'Secret').flatMap((o) => Object.values(dataOf(o))).filter((v) => v.length >= 8);
    for (const cm of byKind(objects, 'ConfigMap')) {
      const data = dataOf(cm);
      for (const k of Object.keys(data)) expect(k, `ConfigMap/${cm.metadata.name}`).not.toMatch(/TOKEN|SECRET|PASSWORD|ENCRYPTION/);
      for (const v of Object.values(data)) for (const secret of secretValues) expect(v.includes(secret), `ConfigMap/${cm.metadata.name} holds a secret value`).toBe(false);
    }
    for (const { template } of podTemplates(objects)) {
      for (const c of template.spec.containers) for (const e of c.env ?? []) if (TOKENS.includes(e.name)) expect(e.valueFrom?.secretKeyRef, e.name).toBeTruthy();
    }
  });

  it.each(SCENARIOS)('%s with the longest release name helm accepts: every name unique in its kind and within Kubernetes limits', async (s) => {
    const release = 'a-release-name-of-fifty-three-characters-helm-allows1';
    expect(release).toHaveLength(53);
    const objects = await helmTemplate({ release, valuesFiles: [scenario(s)], apiVersions: [MONITORING_API] });
    const names = new Map<string, string[]>();
    for (const o of objects) names.set(o.kind, [...(names.get(o.kind) ?? []), o.metadata.name]);
    for (const [kind, list] of names) {
      expect(new Set(list).size, `${kind}: ${list.join(', ')}`).toBe(list.length);
      // A CronJob's Jobs and a StatefulSet's revision label add 11 chars to the name; other names are DNS labels.
      const max = kind === 'CronJob' || kind === 'StatefulSet' ? 52 : kind === 'Secret' ? 253 : 63;
      for (const n of list) expect(n.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n), `${kind}/${n}`).toBe(true);
    }
    expect(inClusterUrlProblems(objects)).toEqual([]);
    // Every component keeps its suffix: the workloads are still told apart by name.
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'CronJob'].includes(x.kind))) expect(o.metadata.name, o.kind).toMatch(new RegExp(`^a-release-name.*-${o.metadata.labels!['app.kubernetes.io/component']}$`));
  });

  it.each(['defaults', 'sandbox'])('%s: between the release\'s pods, the NetworkPolicies let through exactly the connections each component needs, on both ends', (s) => {
    const needed = ['admin-api->redis:6379', 'admin-web->admin-api:8080', 'batch->redis:6379', 'bot->redis:6379'];
    // In sandbox mode the Discord and X doubles stand in for the internet (one pod, both ports).
    if (s === 'sandbox') for (const c of ['admin-api', 'batch', 'bot']) needed.push(`${c}->sandbox:8090`, `${c}->sandbox:8091`);
    const r = reachability(rendered[s]!, 'engagement');
    expect(r.egress, 'what the sources may send').toEqual(needed.sort());
    expect(r.ingress, 'what the destinations accept').toEqual(needed);
    expect(r.both).toEqual(needed);
  });

  it.each(SCENARIOS)('%s: every in-cluster URL a process is given names a Service of the release and one of its ports', (s) => {
    expect(inClusterUrlProblems(rendered[s]!)).toEqual([]);
  });

  it('NetworkPolicies are on by default and allow only what each component needs', () => {
    const objects = rendered.defaults!;
    const nps = byKind(objects, 'NetworkPolicy');
    expect(nps.map((n) => n.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(['admin-api', 'admin-web', 'batch', 'bot', 'redis']);
    type Np = { spec: { policyTypes: string[]; ingress: Array<{ from?: Array<Record<string, unknown>>; ports?: Array<{ port: number }> }>; egress: Array<{ to?: Array<Record<string, unknown>>; ports?: Array<{ port: number }> }> } };
    const np = (c: string) => find(objects, 'NetworkPolicy', `-${c}`) as unknown as Np;
    for (const c of ['bot', 'batch', 'admin-api', 'admin-web', 'redis']) expect(np(c).spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egressPorts = (c: string) => np(c).spec.egress.flatMap((e) => (e.ports ?? []).map((p) => p.port)).sort((a, b) => a - b);
    expect(egressPorts('bot')).toEqual([53, 53, 443, 6379]);
    expect(egressPorts('batch')).toEqual([53, 53, 443, 6379]);
    expect(egressPorts('admin-api')).toEqual([53, 53, 443, 443, 6379, 6443]);
    expect(egressPorts('admin-web')).toEqual([53, 53, 8080]);
    expect(np('redis').spec.egress).toEqual([]);
    expect(np('batch').spec.ingress).toEqual([]);
    const redisFrom = np('redis').spec.ingress[0]!.from!.map((f) => (f.podSelector as { matchLabels: Record<string, string> }).matchLabels['app.kubernetes.io/component']);
    expect(redisFrom.sort()).toEqual(['admin-api', 'batch', 'bot']);
  });
});

describe('components', () => {
  it('bot: one replica, Recreate, health port', () => {
    const bot = find(rendered.defaults!, 'Deployment', '-bot').spec as { replicas: number; strategy: { type: string } };
    expect(bot.replicas).toBe(1);
    expect(bot.strategy.type).toBe('Recreate');
  });

  it('batch CronJob: Forbid, deadlines above the wall-time cap, no retry of exit codes 3 and 4, JOB_NAME from the downward API, memory-aware heap', () => {
    const cj = find(rendered.defaults!, 'CronJob', '-batch');
    const spec = cj.spec as { schedule: string; concurrencyPolicy: string; startingDeadlineSeconds: number; successfulJobsHistoryLimit: number; failedJobsHistoryLimit: number; jobTemplate: { spec: { backoffLimit: number; activeDeadlineSeconds: number; podFailurePolicy: { rules: Array<{ action: string; onExitCodes?: { values: number[]; operator: string } }> }; template: { spec: { restartPolicy: string; containers: Container[] } } } } };
    expect(spec.schedule).toBe('*/30 * * * *');
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.startingDeadlineSeconds).toBeLessThan(30 * 60);
    expect(spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(spec.failedJobsHistoryLimit).toBeGreaterThan(0);
    const job = spec.jobTemplate.spec;
    expect(job.backoffLimit).toBeGreaterThanOrEqual(1);
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.podFailurePolicy.rules.find((r) => r.action === 'FailJob')?.onExitCodes).toMatchObject({ operator: 'In', values: [3, 4] });
    const c = job.template.spec.containers[0]!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    // Above the wall-time cap plus the 60 s the batch's own watchdog allows (batch-job/src/main.ts).
    expect(job.activeDeadlineSeconds).toBeGreaterThan(Number(env.BATCH_MAX_WALL_SECONDS!.value) + 60);
    expect(env.BATCH_TRIGGER!.value).toBe('schedule');
    // the run knows its own schedule (a throttled run reads first what would leave the window before the next one)
    expect(env.BATCH_SCHEDULE!.value).toBe(spec.schedule);
    expect(env.BATCH_TIME_ZONE).toBeUndefined();
    expect(Number(env.BATCH_DEADLINE_LIKES_BUDGET_USD!.value)).toBe(2);
    expect(env.BATCH_LIKES_DUE_HORIZON!.value).toBe('3h');
    expect(Number(env.BATCH_RECONNECT_LIKES_BUDGET_USD!.value)).toBe(0.5);
    expect(env.JOB_NAME!.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['batch.kubernetes.io/job-name']");
    expect(c.resources?.limits?.memory).toBe('256Mi');
    expect(env.NODE_OPTIONS!.value).toBe('--max-old-space-size=192');
    expect(c.args).toEqual(['run']);
  });

  it("batch.reconnectLikesBudgetUsd reaches the CronJob's BATCH_RECONNECT_LIKES_BUDGET_USD and the batch's config; a negative one is refused", async () => {
    const objects = await helmTemplate({ valuesFiles: [scenario('sandbox')], setJson: { 'batch.reconnectLikesBudgetUsd': 1.25 } });
    const c = (find(objects, 'CronJob', '-batch').spec as { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } }).jobTemplate.spec.template.spec.containers[0]!;
    const budget = c.env?.find((e) => e.name === 'BATCH_RECONNECT_LIKES_BUDGET_USD');
    expect(budget?.value).toBe('1.25');
    expect(loadJobConfig({ BATCH_RECONNECT_LIKES_BUDGET_USD: budget!.value! }).env.BATCH_RECONNECT_LIKES_BUDGET_USD).toBe(1.25);
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], setJson: { 'batch.reconnectLikesBudgetUsd': -1 } })).toMatch(/batch\/reconnectLikesBudgetUsd/);
  });

  it('admin API: the only pod with a service account token; Ingress routes /api, /auth, /connect to it and the rest to the console', () => {
    const objects = rendered['ingress-hpa-pdb']!;
    const ing = find(objects, 'Ingress', 'engagement-tracker').spec as { tls: Array<{ hosts: string[] }>; rules: Array<{ http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }> };
    expect(ing.tls[0]!.hosts).toEqual(['engagement.example.com']);
    expect(Object.fromEntries(ing.rules[0]!.http.paths.map((p) => [p.path, p.backend.service.name.replace(/^.*-engagement-tracker-/, '')]))).toEqual({ '/api': 'admin-api', '/auth': 'admin-api', '/connect': 'admin-api', '/': 'admin-web' });
    expect(find(objects, 'HorizontalPodAutoscaler', '-admin-api').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect((find(objects, 'Deployment', '-admin-api').spec as { replicas?: number }).replicas).toBeUndefined();
    expect(find(objects, 'PodDisruptionBudget', '-admin-api').spec).toMatchObject({ minAvailable: 1 });
    // No PDB for the single-replica bot (it would block node drains).
    expect(byKind(objects, 'PodDisruptionBudget')).toHaveLength(1);
  });

  it('embedded Redis: one replica, AOF, a password from a Secret, a volume; the processes get the URL with it', () => {
    const objects = rendered.defaults!;
    const sts = find(objects, 'StatefulSet', '-redis').spec as { replicas: number; volumeClaimTemplates: unknown[]; template: { spec: { containers: Container[] } } };
    expect(sts.replicas).toBe(1);
    expect(sts.volumeClaimTemplates).toHaveLength(1);
    const args = sts.template.spec.containers[0]!.args!;
    expect(args.join(' ')).toContain('--appendonly yes');
    expect(args.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
    expect(args.join(' ')).toContain('--maxmemory-policy noeviction');
    const secret = dataOf(find(objects, 'Secret', '-redis'));
    expect(secret['redis-password']).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('external Redis and existing Secrets: no Redis objects, no chart-made Secret, URL and tokens from the named Secrets', () => {
    const objects = rendered['external-redis']!;
    expect(byKind(objects, 'StatefulSet')).toEqual([]);
    expect(byKind(objects, 'Secret')).toEqual([]);
    const api = podTemplates(objects).find((p) => p.owner.metadata.name.endsWith('-admin-api'))!.template.spec.containers[0]!;
    const env = Object.fromEntries((api.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env.REDIS_URL).toEqual({ name: 'engagement-tracker-redis-url', key: 'url' });
    expect(env.DISCORD_BOT_TOKEN).toEqual({ name: 'engagement-tracker-tokens', key: 'DISCORD_BOT_TOKEN' });
  });

  it('monitoring objects render only when enabled and the API exists', async () => {
    const withApi = rendered.monitoring!;
    expect(byKind(withApi, 'ServiceMonitor').map((o) => o.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(['admin-api', 'bot']);
    for (const sm of byKind(withApi, 'ServiceMonitor')) expect(sm.metadata.labels!.release).toBe('kube-prometheus-stack');
    const alerts = readdirSafe(join(CHART, 'files')).includes('alerts.yaml');
    expect(byKind(withApi, 'PrometheusRule')).toHaveLength(alerts ? 1 : 0);
    const dashboards = readdirSafe(join(CHART, 'files', 'dashboards')).filter((f) => f.endsWith('.json'));
    const cms = byKind(withApi, 'ConfigMap').filter((c) => c.metadata.labels!.grafana_dashboard === '1');
    expect(cms).toHaveLength(dashboards.length);
    const without = await helmTemplate({ valuesFiles: [scenario('monitoring')] });
    expect(without.filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind) || o.metadata.labels?.grafana_dashboard)).toEqual([]);
  });

  it('each ServiceMonitor selects one Service, by a port name that leads to a container port Prometheus may reach', () => {
    const objects = rendered.monitoring!;
    type Sm = { spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: Array<{ port: string; path: string }> } };
    type Svc = { spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string | number }> } };
    const pods = releasePods(objects);
    const containers = podTemplates(objects).flatMap((p) => p.template.spec.containers.map((c) => ({ labels: p.template.metadata.labels, c })));
    for (const sm of byKind(objects, 'ServiceMonitor') as unknown as Array<K8sObject & Sm>) {
      expect(sm.spec.namespaceSelector.matchNames).toEqual(['engagement']);
      const services = (byKind(objects, 'Service') as unknown as Array<K8sObject & Svc>).filter((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
      expect(services.map((s) => s.metadata.name), sm.metadata.name).toHaveLength(1);
      const svcPort = services[0]!.spec.ports.find((p) => p.name === sm.spec.endpoints[0]!.port);
      expect(svcPort, `${sm.metadata.name} scrapes port ${sm.spec.endpoints[0]!.port}`).toBeTruthy();
      const target = containers.find(({ labels, c }) => Object.entries(services[0]!.spec.selector).every(([k, v]) => labels[k] === v) && (c.ports ?? []).some((p) => p.name === svcPort!.targetPort || p.containerPort === svcPort!.targetPort));
      expect(target, `${sm.metadata.name}: no container port ${String(svcPort!.targetPort)}`).toBeTruthy();
      const port = target!.c.ports!.find((p) => p.name === svcPort!.targetPort || p.containerPort === svcPort!.targetPort)!.containerPort;
      const pod = pods.find((p) => p.labels === target!.labels)!;
      expect(admits(objects, pod, { 'app.kubernetes.io/name': 'prometheus' }, 'monitoring', port), `Prometheus (namespace monitoring) may scrape ${pod.component}:${port}`).toBe(true);
      expect(admits(objects, pod, { 'app.kubernetes.io/name': 'prometheus' }, 'elsewhere', port), `only the monitoring namespace may scrape ${pod.component}:${port}`).toBe(false);
    }
  });
});

describe('every process gets a configuration it accepts', () => {
  const fields = { 'metadata.namespace': 'engagement', "metadata.labels['batch.kubernetes.io/job-name']": 'et-batch-29000000' };
  const external = {
    'engagement-tracker-tokens': Object.fromEntries(TOKENS.map((t) => [t, t === 'TOKEN_ENCRYPTION_KEY' ? 'ab'.repeat(32) : `placeholder-${t.toLowerCase()}`])),
    'engagement-tracker-redis-url': { url: 'rediss://:pw@redis.example.com:6380/0' },
  };
  const loaders: Record<string, (env: NodeJS.ProcessEnv) => unknown> = { bot: loadBotConfig, 'admin-api': loadAdminApiConfig, batch: loadJobConfig };
  /** Where each process reads its settings (the names the chart sets must appear there). */
  const sources: Record<string, string[]> = { bot: ['bot/src', 'core/src'], 'admin-api': ['admin-api/src', 'core/src'], batch: ['batch-job/src', 'core/src'] };
  const sourceText = (dirs: string[]) => dirs.map((d) => readTree(join(REPO, d))).join('\n');

  it.each(['defaults', 'external-redis', 'ingress-hpa-pdb', 'sandbox'])('%s: bot, admin API and batch job load the environment the chart gives them', (s) => {
    for (const { owner, template } of podTemplates(rendered[s]!)) {
      const component = owner.metadata.labels!['app.kubernetes.io/component']!;
      if (!loaders[component]) continue;
      const c = template.spec.containers[0]!;
      const env = resolveEnv(c, rendered[s]!, fields, external);
      expect(() => loaders[component]!(env), `${s} ${component}`).not.toThrow();
      if (s !== 'sandbox') expect(env.SANDBOX, `${s} ${component} runs for real`).toBeUndefined();
      const text = sourceText(sources[component]!);
      for (const name of Object.keys(env)) {
        if (['NODE_OPTIONS', 'REDIS_PASSWORD'].includes(name) || name.startsWith('OTEL_')) continue;
        expect(text.includes(name), `${s} ${component} sets ${name}, which the process never reads`).toBe(true);
      }
    }
  });

  it("every BATCH_* setting the batch job reads is a chart value of the CronJob (or one the chart leaves alone on purpose) and in the README's settings table", async () => {
    /**
     * Set by whoever starts the run, not by an operator (the admin API's manual runs, sandbox fault
     * injection), or shared with the admin API and given through config.extraEnv (README: retention).
     */
    const notForTheCronJob = ['BATCH_RUN_ID', 'BATCH_PAUSE_AT', 'BATCH_HEARTBEAT_SECONDS', 'BATCH_RUNS_KEEP_DAYS', 'BATCH_RUNS_KEEP'];
    // the optional values given (a time zone is set only when one is given)
    const objects = await helmTemplate({ valuesFiles: [scenario('defaults')], set: { 'batch.likesDueHorizon': '90m', 'batch.timeZone': 'Europe/Paris' } });
    const cj = find(objects, 'CronJob', '-batch') as unknown as { spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } } };
    const env = new Map((cj.spec.jobTemplate.spec.template.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    const settings = readFileSync(join(REPO, 'README.md'), 'utf8').split('\n## Configuration')[1]!.split('\n## ')[0]!;
    const reads = Object.keys(batchConfigSchema.shape);
    expect(reads).toContain('BATCH_LIKES_DUE_HORIZON');
    for (const name of reads.filter((n) => n.startsWith('BATCH_'))) {
      if (!notForTheCronJob.includes(name)) expect(env.has(name), `the CronJob does not set ${name}`).toBe(true);
      expect(settings.includes(`\`${name}\``), `README settings table lacks ${name}`).toBe(true);
    }
    expect(env.get('BATCH_LIKES_DUE_HORIZON')).toBe('90m');
  });
});

describe('the chart README', () => {
  it('its minimal values file installs (placeholders filled in) and uses the registry it names', async () => {
    const block = /A minimal `my-values.yaml`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync(join(CHART, 'README.md'), 'utf8'));
    expect(block).toBeTruthy();
    const values = parse(block![1]!) as { image: { registry: string }; secrets: Record<string, string> };
    for (const [k, v] of Object.entries(values.secrets)) if (v === '...') values.secrets[k] = k === 'tokenEncryptionKey' ? 'ab'.repeat(32) : `placeholder-${k}`;
    const dir = mkdtempSync(join(tmpdir(), 'et-minimal-'));
    try {
      writeFileSync(join(dir, 'my-values.yaml'), stringify(values));
      const { objects } = await helmInstallDryRun({ valuesFiles: [join(dir, 'my-values.yaml')] });
      for (const o of objects) expect(await validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
      const images = podTemplates(objects).flatMap((p) => p.template.spec.containers.map((c) => c.image)).filter((i) => i.includes('engagement-tracker/'));
      expect(images.length).toBeGreaterThanOrEqual(4);
      for (const i of images) expect(i.startsWith(`${values.image.registry}/`), i).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad input is refused with a message naming the problem', () => {
  it('by helm install too (not only helm template): a wrong type, an unknown top-level key, missing tokens', async () => {
    const install = (...args: string[]) => run(HELM, ['install', 'x', CHART, '--dry-run=client', ...args], { allowFailure: true });
    const wrongType = await install('-f', scenario('sandbox'), '--set', 'bot.healthPort=eighty');
    expect(wrongType.code).not.toBe(0);
    expect(wrongType.stderr).toMatch(/bot\/healthPort.*want integer/);
    expect((await install('-f', scenario('sandbox'), '--set', 'replicaCount=2')).stderr).toMatch(/additional properties 'replicaCount' not allowed/);
    const noTokens = await install();
    for (const k of ['discordBotToken', 'discordClientSecret', 'twitterClientId', 'twitterClientSecret', 'twitterBearerToken', 'tokenEncryptionKey']) expect(noTokens.stderr).toContain(`secrets.${k}`);
  });

  it('missing tokens: names every one', async () => {
    const err = await helmTemplateError({});
    for (const k of ['secrets.discordBotToken', 'secrets.discordClientSecret', 'secrets.twitterClientId', 'secrets.twitterClientSecret', 'secrets.twitterBearerToken', 'secrets.tokenEncryptionKey']) expect(err).toContain(k);
  });

  it('a wrong type, an unknown top-level key, a schedule that is not cron', async () => {
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], set: { 'bot.healthPort': 'eighty' } })).toMatch(/bot\/healthPort.*want integer/);
    const unknown = await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'replicaCount=2'], { allowFailure: true });
    expect(unknown.stderr).toMatch(/additional properties 'replicaCount' not allowed/);
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], set: { 'batch.schedule': 'every 30 minutes' } })).toMatch(/batch\/schedule.*does not match pattern/);
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], set: { 'batch.schedule': '*/30 * * *' } })).toMatch(/batch\/schedule/);
    // The bot would refuse to start: the batch reads a post for at most 7 days.
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], set: { 'config.trackingWindowHours': '169' } })).toMatch(/config\/trackingWindowHours/);
    // The batch refuses a horizon it cannot read as a duration.
    expect(await helmTemplateError({ valuesFiles: [scenario('sandbox')], set: { 'batch.likesDueHorizon': 'three hours' } })).toMatch(/batch\/likesDueHorizon.*does not match pattern/);
  });

  it('an activeDeadlineSeconds not above the wall-time cap plus the watchdog margin, a heap that leaves no room for the young generation, and a missing Redis', async () => {
    const deadline = await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'batch.activeDeadlineSeconds=660'], { allowFailure: true });
    expect(deadline.stderr).toMatch(/batch.activeDeadlineSeconds \(660\) must be above batch.maxWallSeconds \+ 60 \(660\)/);
    expect((await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'batch.activeDeadlineSeconds=661'], { allowFailure: true })).code).toBe(0);
    // The old space plus the image's 48 MiB young generation must fit the memory limit (256Mi by default).
    const heap = await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'batch.heapPercent=90'], { allowFailure: true });
    expect(heap.stderr).toMatch(/batch.heapPercent \(90\) gives the V8 old space 230 MiB of the 256 MiB memory limit/);
    expect((await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'batch.heapPercent=81'], { allowFailure: true })).code).toBe(0);
    expect((await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'batch.heapPercent=90', '--set', 'batch.resources.limits.memory=512Mi'], { allowFailure: true })).code).toBe(0);
    const noRedis = await run(HELM, ['template', 'x', CHART, '-f', scenario('sandbox'), '--set', 'redis.enabled=false'], { allowFailure: true });
    expect(noRedis.stderr).toMatch(/externalRedis.url or externalRedis.existingSecret/);
  });
});

/** URLs in container env whose host is a cluster-internal name (no dot) that no Service of the release serves on that port. */
function inClusterUrlProblems(objects: K8sObject[]): string[] {
  const services = new Map(byKind(objects, 'Service').map((svc) => [svc.metadata.name, (svc.spec as { ports: Array<{ port: number }> }).ports.map((p) => p.port)]));
  const problems: string[] = [];
  let urls = 0;
  for (const { owner, template } of podTemplates(objects)) {
    for (const c of template.spec.containers) {
      for (const e of c.env ?? []) {
        const m = e.value && /^[a-z]+:\/\/(?:[^@/]*@)?([a-z0-9-]+):(\d+)(\/|$)/.exec(e.value);
        if (!m || m[1] === 'localhost') continue;
        urls++;
        if (!services.get(m[1]!)?.includes(Number(m[2]))) problems.push(`${owner.kind}/${owner.metadata.name} ${e.name}=${e.value}: no Service ${m[1]} on port ${m[2]}`);
      }
    }
  }
  if (urls === 0) problems.push('no in-cluster URL found at all');
  return problems;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readTree(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}
