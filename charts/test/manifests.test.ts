/**
 * k8s/ (plain manifests generated from the chart) and skaffold.yaml: no drift from the chart, kustomize
 * builds, every object valid; skaffold.yaml (and each profile's result) valid against skaffold's
 * published JSON schema (a fixture), building every image the chart runs with it.
 */
import { createHash } from 'node:crypto';
import { cpSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedManifests, K8S_DIR } from '../../scripts/generate-k8s';
import { assertTools, helmTemplate, KUBECTL, parseManifests, REPO, scenario } from './support/helm';
import { find, podTemplates } from './support/pods';
import { run } from './support/podman';
import { validateObject } from './support/schemas';
import { readSkaffoldConfig, SKAFFOLD_SCHEMA, SKAFFOLD_SCHEMA_VERSION, skaffoldValidator, withProfile } from './support/skaffold';

describe('k8s/ plain manifests', () => {
  it('are exactly what the chart renders with k8s/values.yaml (npm run k8s:generate)', () => {
    assertTools();
    for (const [file, text] of Object.entries(generatedManifests())) expect(readFileSync(join(K8S_DIR, 'base', file), 'utf8'), `k8s/base/${file}`).toBe(text);
  });

  it('hold no secret: tokens and the Redis password come from Secrets the overlay generates', () => {
    const base = parseManifests(Object.values(generatedManifests()).join('\n---\n'));
    expect(base.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('build with kustomize (base and the production overlay), and every object is valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'et-kustomize-'));
    try {
      cpSync(K8S_DIR, join(dir, 'k8s'), { recursive: true });
      const overlay = join(dir, 'k8s', 'overlays', 'production');
      copyFileSync(join(overlay, 'secrets.env.example'), join(overlay, 'secrets.env'));
      writeFileSync(join(overlay, 'redis.env'), 'redis-password=example\n');
      const objects = parseManifests((await run(KUBECTL, ['kustomize', overlay])).stdout);
      for (const o of objects) expect(await validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
      for (const o of objects) expect(o.metadata.namespace ?? 'engagement-tracker', `${o.kind}/${o.metadata.name}`).toBe('engagement-tracker');
      // The generated Secret names (with their hash suffix) are the ones the pods read.
      const secret = find(objects, 'Secret', '').metadata.name;
      const api = JSON.stringify(find(objects, 'Deployment', '-admin-api'));
      expect(api).toContain(objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('engagement-tracker-secrets-'))!.metadata.name);
      expect(secret).toMatch(/^engagement-tracker-(secrets|redis)-[a-z0-9]+$/);
      expect((await run(KUBECTL, ['kustomize', join(dir, 'k8s', 'base')])).stdout).toContain('kind: CronJob');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('skaffold.yaml', () => {
  const config = readSkaffoldConfig();
  const validate = skaffoldValidator();
  type Artifact = { image: string; context: string; docker: { dockerfile: string } };
  type Release = { name: string; chartPath: string; namespace: string; valuesFiles?: string[]; setValueTemplates: Record<string, string> };
  type Effective = { build: { artifacts: Artifact[] }; deploy: { helm: { releases: Release[] } }; portForward: Array<{ resourceType: string; resourceName: string; namespace: string; port: number }> };
  const effective = (profile?: string) => (profile ? withProfile(config, profile) : config) as unknown as Effective;
  const PROFILES = ['sandbox', 'production'];
  /** Names of the keys the validator refused as unknown (anyOf branches repeat them; any one is enough). */
  const unknownKeys = (config: unknown) => new Set(validate(config).flatMap((e) => (e.keyword === 'additionalProperties' ? [`${e.instancePath}/${String(e.params.additionalProperty)}`] : [])));

  it("the schema fixture is skaffold's whole published file for the apiVersion skaffold.yaml declares", () => {
    const bytes = readFileSync(SKAFFOLD_SCHEMA);
    expect(bytes.length).toBe(242_499);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('7df8640d68dc88f956c98a9b8f6e9477c291e60b8c73cc8b666fc6e520524f5e');
    const schema = JSON.parse(bytes.toString('utf8')) as { $schema: string; definitions: Record<string, unknown> };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.definitions)).toEqual(expect.arrayContaining(['SkaffoldConfig', 'Artifact', 'DockerArtifact', 'HelmRelease', 'Profile', 'PortForwardResource']));
    expect(config.apiVersion).toBe(`skaffold/${SKAFFOLD_SCHEMA_VERSION}`);
  });

  it("is valid against skaffold's schema, and so is the config each profile produces", () => {
    expect(validate(config)).toEqual([]);
    expect(config.profiles?.map((p) => p.name)).toEqual(PROFILES);
    for (const p of PROFILES) expect(validate(withProfile(config, p)), p).toEqual([]);
  });

  it('the validator refuses wrong keys and wrong types, naming them (mutated copies of skaffold.yaml)', () => {
    const mutated = (change: (c: Effective & Record<string, unknown>) => void) => {
      const copy = structuredClone(config) as unknown as Effective & Record<string, unknown>;
      change(copy);
      return copy;
    };
    expect(unknownKeys(mutated((c) => (c.deploi = c.deploy)))).toContain('/deploi');
    expect(unknownKeys(mutated((c) => ((c.build.artifacts[0]!.docker as Record<string, unknown>).dockerfil = 'bot/Dockerfile')))).toContain('/build/artifacts/0/docker/dockerfil');
    expect(unknownKeys(mutated((c) => ((c.deploy.helm.releases[0] as Record<string, unknown>).valueFiles = ['x.yaml'])))).toContain('/deploy/helm/releases/0/valueFiles');
    const wrongType = validate(mutated((c) => ((c.portForward[0] as Record<string, unknown>).localPort = '8080')));
    expect(wrongType.map((e) => [e.instancePath, e.message])).toContainEqual(['/portForward/0/localPort', 'must be integer']);
    const noName = validate(mutated((c) => delete (c.deploy.helm.releases[0] as Partial<Release>).name));
    expect(noName.map((e) => e.params)).toContainEqual({ missingProperty: 'name' });
    expect(validate(mutated(() => undefined))).toEqual([]);
  });

  it('builds one artifact per image from its Dockerfile; every profile builds every image the chart then runs', async () => {
    expect(effective().build.artifacts.map((a) => [a.image, a.docker.dockerfile])).toEqual([
      ['engagement-tracker/bot', 'bot/Dockerfile'],
      ['engagement-tracker/batch-job', 'batch-job/Dockerfile'],
      ['engagement-tracker/admin-api', 'admin-api/Dockerfile'],
      ['engagement-tracker/admin-web', 'admin-web/Dockerfile'],
    ]);
    for (const profile of [undefined, ...PROFILES]) {
      const { build, deploy } = effective(profile);
      const release = deploy.helm.releases[0]!;
      expect(release.chartPath).toBe('charts/engagement-tracker');
      for (const a of build.artifacts) expect(existsSync(join(REPO, a.context, a.docker.dockerfile)), a.docker.dockerfile).toBe(true);
      // Skaffold's template variables, filled in as skaffold would for a push to registry.example.com.
      const byVar = new Map(build.artifacts.map((a) => [a.image.replace(/[^A-Za-z0-9]/g, '_'), a.image]));
      const set = Object.fromEntries(
        Object.entries(release.setValueTemplates).map(([key, template]) => {
          const m = /^\{\{\.IMAGE_(DOMAIN|REPO_NO_DOMAIN|TAG)_(\w+)\}\}$/.exec(template);
          expect(m && byVar.has(m[2]!), `${profile ?? 'base'}: ${key}=${template} names an artifact`).toBe(true);
          return [key, m![1] === 'DOMAIN' ? 'registry.example.com' : m![1] === 'TAG' ? 'sk1' : byVar.get(m![2]!)!];
        }),
      );
      // production-values.yaml is the operator's own (git-ignored); the defaults scenario stands in for it.
      const valuesFiles = (release.valuesFiles ?? ['charts/engagement-tracker/ci/defaults-values.yaml']).map((f) => (f === 'production-values.yaml' ? scenario('defaults') : join(REPO, f)));
      const objects = await helmTemplate({ release: release.name, namespace: release.namespace, valuesFiles, set });
      const images = podTemplates(objects).flatMap((p) => p.template.spec.containers.map((c) => c.image));
      const ours = images.filter((i) => i.includes('engagement-tracker/'));
      expect(ours.length, profile).toBeGreaterThanOrEqual(4);
      for (const image of ours) expect(build.artifacts.map((a) => `registry.example.com/${a.image}:sk1`), `${profile ?? 'base'} runs ${image}, which it does not build`).toContain(image);
      // The console port-forward names the Service the chart renders for this release.
      const forward = effective(profile).portForward[0]!;
      const svc = find(objects, 'Service', '-admin-web');
      expect([forward.resourceType, forward.resourceName, forward.namespace]).toEqual(['service', svc.metadata.name, release.namespace]);
      expect((svc.spec as { ports: Array<{ port: number }> }).ports.map((p) => p.port)).toContain(forward.port);
    }
  });
});
