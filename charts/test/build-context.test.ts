/**
 * The images' build context (the repository root minus .dockerignore, matched as Docker matches it):
 * no tests, docs or data in it, yet everything each Dockerfile copies; and the dependency-install stage
 * is the same in every Dockerfile, so one build's layers serve all the images.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/helm';

const WORKLOADS = ['bot', 'batch-job', 'admin-api', 'admin-web', 'sandbox'];
const dockerfile = (w: string) => readFileSync(join(REPO, w, 'Dockerfile'), 'utf8');

/** Files docker would send: every file of the checkout (tracked or new, not git-ignored) that .dockerignore keeps. */
function buildContext(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  const rules = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  return dockerignore({ ignorecase: false }).add(rules).filter(files);
}

describe('the images build context', () => {
  const context = buildContext();

  it('holds no tests, docs, benchmarks, data or deployment manifests', () => {
    expect(context.length).toBeGreaterThan(100);
    const unwanted = [/(^|\/)test\//, /\.test\.ts$/, /(^|\/)faults\//, /(^|\/)bench\//, /^docs\//, /\.md$/i, /^\.data\//, /^\.env/, /^charts\//, /^k8s\//, /^skaffold\.yaml$/, /(^|\/)node_modules\//];
    for (const f of context) for (const re of unwanted) expect(re.test(f), `${f} is sent to the image builds`).toBe(false);
  });

  it.each(WORKLOADS)('%s/Dockerfile: every path it copies from the context is in it', (w) => {
    const copies = dockerfile(w)
      .split('\n')
      .filter((l) => /^COPY\s/.test(l) && !l.includes('--from='))
      .flatMap((l) => l.trim().split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')));
    expect(copies.length).toBeGreaterThan(5);
    for (const src of copies) expect(context.some((f) => f === src || f.startsWith(`${src}/`)), `${w}/Dockerfile copies ${src}`).toBe(true);
  });

  it('the install stage (workspace manifests + npm ci) is the same in every Dockerfile', () => {
    const installStage = (w: string) => /FROM \$\{NODE_IMAGE\} AS build\n[\s\S]*?npm ci[^\n]*\n/.exec(dockerfile(w))?.[0];
    const stages = WORKLOADS.map(installStage);
    expect(stages[0]).toContain('COPY package.json package-lock.json ./');
    for (const [i, w] of WORKLOADS.entries()) expect(stages[i], w).toBe(stages[0]);
    // It lists every workspace's package.json, as the lockfile expects.
    const workspaces = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const ws of workspaces) expect(stages[0]).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
