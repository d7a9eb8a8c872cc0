/**
 * k8s/ (plain manifests generated from the chart) and skaffold.yaml: no drift from the chart, kustomize
 * builds, every object valid, skaffold.yaml valid against skaffold's published schema.
 */
import { cpSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedManifests, K8S_DIR } from '../../scripts/generate-k8s';
import { assertTools, KUBECTL, parseManifests, REPO } from './support/helm';
import { find } from './support/pods';
import { run } from './support/podman';
import { validateObject } from './support/schemas';

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
  const config = parse(readFileSync(join(REPO, 'skaffold.yaml'), 'utf8')) as {
    build: { artifacts: Array<{ image: string; context: string; docker: { dockerfile: string } }> };
    deploy: { helm: { releases: Array<{ chartPath: string; setValueTemplates: Record<string, string> }> } };
    portForward: Array<{ resourceName: string; port: number }>;
    profiles: Array<{ name: string }>;
  };

  it('builds one artifact per image from its Dockerfile and deploys the chart with those images', () => {
    expect(config.build.artifacts.map((a) => [a.image, a.docker.dockerfile])).toEqual([
      ['engagement-tracker/bot', 'bot/Dockerfile'],
      ['engagement-tracker/batch-job', 'batch-job/Dockerfile'],
      ['engagement-tracker/admin-api', 'admin-api/Dockerfile'],
      ['engagement-tracker/admin-web', 'admin-web/Dockerfile'],
    ]);
    const release = config.deploy.helm.releases[0]!;
    expect(release.chartPath).toBe('charts/engagement-tracker');
    for (const key of ['bot', 'batch', 'adminApi', 'adminWeb']) expect(Object.keys(release.setValueTemplates)).toEqual(expect.arrayContaining([`${key}.image.repository`, `${key}.image.tag`]));
    expect(config.portForward[0]).toMatchObject({ resourceName: 'engagement-tracker-admin-web', port: 8080 });
    expect(config.profiles.map((p) => p.name)).toEqual(['sandbox', 'production']);
  });
});
