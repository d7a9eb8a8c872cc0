/**
 * NOTES.txt, as `helm install` prints it (rendered offline by `helm install --dry-run=client`): how to
 * open the console, start a manual run and find the dashboards, with the names of the objects the same
 * install creates.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertTools, helmInstallDryRun, scenario, type K8sObject } from './support/helm';
import { byKind, find } from './support/pods';

const NS = 'engagement';
/** A Kubernetes object name: DNS-1123 label (a Job's name becomes a label value, so 63 chars at most). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

beforeAll(() => assertTools());

/** The commands NOTES.txt tells the operator to run (from `kubectl` to the end of the line). */
const commands = (notes: string) => notes.split('\n').flatMap((l) => (l.includes('kubectl ') ? [l.slice(l.indexOf('kubectl ')).trim()] : []));

/** The manual-run command, with the job name it creates once the shell has expanded $(date +%s). */
function manualRun(notes: string): { namespace: string; cronJob: string; jobName: string } {
  const line = commands(notes).find((c) => c.includes(' create job '));
  const m = line && /^kubectl -n (\S+) create job --from=cronjob\/(\S+) (\S+?\$\(date \+%s\)|\S+)$/.exec(line);
  if (!m) throw new Error(`no manual-run command in NOTES:\n${notes}`);
  return { namespace: m[1]!, cronJob: m[2]!, jobName: m[3]!.replace('$(date +%s)', String(Math.floor(Date.now() / 1000))) };
}

const servicePort = (svc: K8sObject) => (svc.spec as { ports: Array<{ port: number }> }).ports[0]!.port;

describe('NOTES.txt', () => {
  it.each([
    ['defaults', 'et'],
    ['defaults', 'engagement-tracker'],
    ['sandbox', 'a-rather-long-release-name-for-the-main-community'],
  ])('%s as release %s: the manual run is `kubectl create job --from=cronjob/<the rendered CronJob>` with a valid job name', async (s, release) => {
    const { notes, objects } = await helmInstallDryRun({ release, namespace: NS, valuesFiles: [scenario(s)] });
    const cronJob = find(objects, 'CronJob', '-batch');
    const run = manualRun(notes);
    expect(run).toMatchObject({ namespace: NS, cronJob: cronJob.metadata.name });
    expect(run.jobName).toMatch(DNS_LABEL);
    expect(run.jobName.length).toBeLessThanOrEqual(63);
    expect(notes).toContain(`CronJob "${cronJob.metadata.name}" runs on "${(cronJob.spec as { schedule: string }).schedule}"`);
    // Following the run: the label selectors match the labels of the Jobs the CronJob creates.
    const jobLabels = (cronJob.spec as { jobTemplate: { spec: { template: { metadata: { labels: Record<string, string> } } } } }).jobTemplate.spec.template.metadata.labels;
    for (const c of commands(notes).filter((l) => / (get jobs|logs) -l /.test(l))) {
      const selector = /-l (\S+)/.exec(c)![1]!;
      for (const pair of selector.split(',')) {
        const [k, v] = pair.split('=');
        expect(jobLabels[k!], `${c}: ${k}`).toBe(v);
      }
    }
    expect(notes.includes('SANDBOX MODE')).toBe(s === 'sandbox');
  });

  it('without an Ingress: port-forward to the console Service the install creates, on its port', async () => {
    const { notes, objects } = await helmInstallDryRun({ namespace: NS, valuesFiles: [scenario('defaults')] });
    const svc = find(objects, 'Service', '-admin-web');
    expect(commands(notes)).toContain(`kubectl -n ${NS} port-forward svc/${svc.metadata.name} 8080:${servicePort(svc)}`);
    expect(notes).toContain('http://localhost:8080/');
    expect(notes).toContain('Dashboards are off');
    expect(notes).not.toContain('get prometheusrule');
  });

  it('with an Ingress: the console URL is the Ingress host, https when it has TLS', async () => {
    const { notes, objects } = await helmInstallDryRun({ namespace: NS, valuesFiles: [scenario('ingress-hpa-pdb')] });
    const ing = find(objects, 'Ingress', '').spec as { tls?: Array<{ hosts: string[] }>; rules: Array<{ host: string }> };
    expect(ing.tls?.[0]?.hosts).toContain(ing.rules[0]!.host);
    expect(notes).toContain(`https://${ing.rules[0]!.host}/`);
    expect(notes).not.toContain('port-forward');
  });

  it('with the Prometheus Operator: the dashboards label the ConfigMaps carry, and the PrometheusRule by name', async () => {
    const { notes, objects } = await helmInstallDryRun({ namespace: NS, valuesFiles: [scenario('monitoring')], setJson: { apiVersions: ['monitoring.coreos.com/v1'] } });
    const m = /ConfigMaps labelled (\S+)=(\S+) /.exec(notes);
    expect(m, notes).toBeTruthy();
    const dashboards = byKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.[m![1]!] === m![2]!);
    expect(dashboards.length).toBeGreaterThan(0);
    expect(dashboards.every((c) => Object.keys((c as K8sObject & { data: Record<string, string> }).data).every((k) => k.endsWith('.json')))).toBe(true);
    const rule = find(objects, 'PrometheusRule', '');
    expect(commands(notes)).toContain(`kubectl -n ${NS} get prometheusrule ${rule.metadata.name}`);
    expect(notes).not.toContain('Dashboards are off');
  });
});
