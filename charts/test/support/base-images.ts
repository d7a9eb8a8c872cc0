/**
 * Local stand-ins for the official images, built without any container registry: a Debian bookworm
 * root filesystem from Debian's own mirrors (mmdebstrap), then Node.js 24 (the binary this repository
 * already runs, from the npm package `node`) and npm on top, and Redis from Debian's package. They
 * are built once and kept in podman's storage; later runs reuse them.
 *
 *   tsx charts/test/support/base-images.ts    # build whatever is missing, print the image names
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageExists, podman, run } from './podman';

export const BASE_IMAGES = {
  debian: 'localhost/engagement-tracker-base/debian:bookworm',
  node: 'localhost/engagement-tracker-base/node:24-bookworm-slim',
  redis: 'localhost/engagement-tracker-base/redis:7-bookworm',
} as const;

/** Debian's apt sources of this machine (deb822 or one-line), handed to mmdebstrap. */
function aptSources(): string {
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) if (existsSync(f)) return f;
  return 'http://deb.debian.org/debian';
}

/** The machine's extra CA certificates (a TLS-inspecting proxy), so npm inside a build trusts what the host trusts. */
function localCaCertificates(): string[] {
  const dir = '/usr/local/share/ca-certificates';
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.crt')).map((f) => join(dir, f)) : [];
}

async function buildDebian(work: string): Promise<void> {
  const tar = join(work, 'rootfs.tar');
  await run('mmdebstrap', [
    '--variant=minbase',
    '--include=ca-certificates',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
    'bookworm',
    tar,
    aptSources(),
  ]);
  await podman(['import', '--change', 'CMD ["bash"]', tar, BASE_IMAGES.debian]);
}

async function buildNode(work: string): Promise<void> {
  const ctx = join(work, 'node');
  mkdirSync(join(ctx, 'ca'), { recursive: true });
  // Node.js 24 as this repository runs it: the official binary shipped by the npm package `node`.
  copyFileSync(join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node'), join(ctx, 'node'));
  const npmDir = resolve(dirname(realpathSync((await run('sh', ['-c', 'command -v npm'])).stdout.trim())), '..');
  cpSync(npmDir, join(ctx, 'npm'), { recursive: true });
  for (const crt of localCaCertificates()) copyFileSync(crt, join(ctx, 'ca', crt.split('/').pop()!));
  writeFileSync(
    join(ctx, 'Containerfile'),
    `FROM ${BASE_IMAGES.debian}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca/ /usr/local/share/ca-certificates/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && update-ca-certificates >/dev/null \\
 && mkdir -p /usr/local/etc && echo 'cafile=/etc/ssl/certs/ca-certificates.crt' > /usr/local/etc/npmrc \\
 && node --version && npm --version
CMD ["node"]
`,
  );
  await podman(['build', '--pull=never', '-t', BASE_IMAGES.node, ctx]);
}

async function buildRedis(work: string): Promise<void> {
  const ctx = join(work, 'redis');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(
    join(ctx, 'Containerfile'),
    `FROM ${BASE_IMAGES.debian}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \\
 && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["redis-server"]
`,
  );
  await podman(['build', '--pull=never', '-t', BASE_IMAGES.redis, ctx]);
}

/** Builds the base images that are missing; returns the names of those it built. */
export async function ensureBaseImages(): Promise<string[]> {
  const built: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'et-base-'));
  try {
    if (!(await imageExists(BASE_IMAGES.debian))) {
      await buildDebian(work);
      built.push(BASE_IMAGES.debian);
    }
    if (!(await imageExists(BASE_IMAGES.node))) {
      await buildNode(work);
      built.push(BASE_IMAGES.node);
    }
    if (!(await imageExists(BASE_IMAGES.redis))) {
      await buildRedis(work);
      built.push(BASE_IMAGES.redis);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await ensureBaseImages();
  process.stdout.write(`${JSON.stringify({ images: BASE_IMAGES, built })}\n`);
}
