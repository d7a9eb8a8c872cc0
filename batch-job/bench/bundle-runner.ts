/**
 * The bench's batch process runs as the image runs the batch job: plain node on JavaScript esbuild
 * bundled from the TypeScript (no tsx loader in the process), so its memory is the product's. The
 * workspaces' code (core, the engine) is compiled in; every third-party package stays an import
 * resolved from node_modules, and lazily imported modules (the OpenTelemetry SDK) stay separate
 * chunks loaded only when used, as in `scripts/bundle.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundle bench/runner.ts into a folder of node_modules/.cache (where node finds the packages) of this
 * bench process's own; returns the entry file and a cleanup.
 */
export async function bundleRunner(): Promise<{ file: string; remove(): void }> {
  const out = join(ROOT, 'node_modules/.cache/batch-bench', String(process.pid));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { runner: join(import.meta.dirname, 'runner.ts') },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    logLevel: 'warning',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    plugins: [{
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@engagement-tracker/') ? undefined : { path: args.path, external: true }));
      },
    }],
  });
  // core's script loader reads `scripts/` next to the module it is bundled in.
  cpSync(join(ROOT, 'core/src/redis/scripts'), join(out, 'scripts'), { recursive: true });
  return { file: join(out, 'runner.mjs'), remove: () => rmSync(out, { recursive: true, force: true }) };
}

/**
 * The V8 memory flags the batch image gives node (the ENTRYPOINT of batch-job/Dockerfile, e.g. the
 * young generation's size): the bench's batch process runs with the same, so it measures the image.
 */
export function imageMemoryFlags(dockerfile = readFileSync(join(ROOT, 'batch-job/Dockerfile'), 'utf8')): string[] {
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!entry) throw new Error('batch-job/Dockerfile has no ENTRYPOINT in exec form');
  return (JSON.parse(entry[1]!) as string[]).filter((a) => /^--max-(semi|old)-space-size=\d+$/.test(a));
}

/** What a batch process (bench/runner.ts) reports after one run on the simulated clock. */
export interface RunnerResult {
  status: string;
  error?: string;
  refused: number;
  wallMs: number;
  rssMb: number;
  heapMb: number;
  moderationMs: number;
  costUsd?: number;
}

export interface Runner {
  /** The V8 heap limit the process runs under (node's default for the machine unless a cap was given). */
  heapLimitMb: number;
  run(msg: object): Promise<RunnerResult>;
  stop(): Promise<void>;
}

/**
 * Start a batch process of the bundle `file` on plain node with exactly `nodeOptions` (e.g. a heap cap):
 * neither this process's loader flags nor its NODE_OPTIONS (a shell or a CI may set a heap cap there)
 * reach it, so what it measures is the process with no heap cap that the memory target means.
 */
export async function startBundledRunner(file: string, nodeOptions: string[]): Promise<Runner> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child: ChildProcess = fork(file, [], { execArgv: nodeOptions, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ heapLimitMb: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { heapLimitMb: number }));
    child.once('exit', (code) => reject(new Error(`bench runner exited with ${code}`)));
  });
  let dead: Error | null = null;
  const waiting = new Set<(err: Error) => void>();
  child.on('exit', (code, signal) => {
    dead = new Error(`bench runner exited (${code ?? signal})`);
    for (const w of waiting) w(dead);
  });
  return {
    heapLimitMb: ready.heapLimitMb,
    run: (msg) =>
      new Promise((resolve, reject) => {
        if (dead) return reject(dead);
        waiting.add(reject);
        child.once('message', (raw) => {
          waiting.delete(reject);
          const m = raw as RunnerResult & { type: string; error?: string };
          if (m.type === 'error') reject(new Error(m.error));
          else resolve(m);
        });
        child.send({ type: 'run', ...msg });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (dead) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'exit' });
      }),
  };
}
