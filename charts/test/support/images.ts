import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BASE_IMAGES } from './base-images';
import { REPO } from './helm';
import { imageExists, podman } from './podman';

/** The application images (and the sandbox doubles'), each built from its workspace's Dockerfile with the repository as context. */
export const WORKLOADS = ['bot', 'batch-job', 'admin-api', 'admin-web', 'sandbox'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Local name of a workload's image; the chart's `local-play` values point at the same names. */
export const imageRef = (w: Workload, tag = 'test') => `localhost/engagement-tracker/${w}:${tag}`;

/** What one test run (one vitest process, the parent of its test files' workers) built: image ids and build seconds. */
interface Built {
  runner: number;
  ids: Record<Workload, string>;
  seconds: Record<Workload, number>;
}
const BUILT = join(REPO, 'test-artifacts', 'deploy', 'app-images.json');

/** The images an earlier test file of this same run built, if they are all still in podman's storage. */
async function builtInThisRun(): Promise<Built | undefined> {
  let built: Built;
  try {
    built = JSON.parse(readFileSync(BUILT, 'utf8')) as Built;
  } catch {
    return undefined;
  }
  if (built.runner !== process.ppid) return undefined;
  for (const w of WORKLOADS) if (!built.ids[w] || !(await imageExists(built.ids[w]))) return undefined;
  return built;
}

/**
 * Builds the images on the local Node base (no registry: `--pull=never`). The Dockerfiles share
 * their first stage, so the workspace install runs once and the other builds reuse its layers.
 * Once per test run: a second test file of the same run gets the images the first one built (named
 * again by image id, whatever was built elsewhere on the machine since). `extraTag` also gives each
 * image a run's own name, which a build elsewhere cannot move. Returns the seconds each build took.
 */
export async function buildAppImages(extraTag?: string): Promise<Record<Workload, number>> {
  const earlier = await builtInThisRun();
  if (earlier) {
    for (const w of WORKLOADS) for (const ref of [imageRef(w), ...(extraTag ? [imageRef(w, extraTag)] : [])]) await podman(['tag', earlier.ids[w], ref]);
    return earlier.seconds;
  }
  const dir = mkdtempSync(join(tmpdir(), 'et-build-'));
  const built: Built = { runner: process.ppid, ids: {} as Built['ids'], seconds: {} as Built['seconds'] };
  try {
    for (const w of WORKLOADS) {
      const started = Date.now();
      const iid = join(dir, w);
      await podman(['build', '--pull=never', '--layers', '--iidfile', iid, '--build-arg', `NODE_IMAGE=${BASE_IMAGES.node}`, '-f', join(w, 'Dockerfile'), '-t', imageRef(w), ...(extraTag ? ['-t', imageRef(w, extraTag)] : []), '.'], { cwd: REPO });
      built.seconds[w] = Math.round((Date.now() - started) / 100) / 10;
      built.ids[w] = readFileSync(iid, 'utf8').trim();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dirname(BUILT), { recursive: true });
  writeFileSync(BUILT, `${JSON.stringify(built, null, 2)}\n`);
  return built.seconds;
}

/** The flags every product container runs with here, as the chart runs them in a cluster. */
export const HARDENED = ['--read-only', '--user', '10001:10001', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--network=host'];

export function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
}

/** Polls `url` until it answers 200 (containers' probes are not run by podman). */
export async function waitHealthy(url: string, timeoutMs = 90_000, logs?: () => Promise<string>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > until) throw new Error(`${url} not healthy after ${timeoutMs} ms (${last})${logs ? `\n${await logs()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function containerLogs(name: string): Promise<string> {
  const r = await podman(['logs', '--tail', '40', name], { allowFailure: true });
  return `--- ${name} ---\n${r.stdout}${r.stderr}`;
}

/** Stops a container with SIGTERM (SIGKILL only after `grace` seconds); returns its exit code and how long it took. */
export async function stopContainer(name: string, grace = 25): Promise<{ exitCode: number; seconds: number }> {
  const started = Date.now();
  await podman(['stop', '--time', String(grace), name]);
  const seconds = (Date.now() - started) / 1000;
  const exitCode = Number((await podman(['inspect', '--format', '{{.State.ExitCode}}', name])).stdout.trim());
  return { exitCode, seconds };
}
