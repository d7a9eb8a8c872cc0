import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file of the built console, held in memory with its headers decided once. */
export interface SiteFile {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json)|image\/svg)/;

/** Vite puts content-hashed files under /assets/: they never change, so they may be cached for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html first) is revalidated on every load, so a new release shows at once. */
export const REVALIDATE = 'no-cache';

/** Reads every file under `root` (the vite build) into memory: url path -> file. */
export function loadSite(root: string): Map<string, SiteFile> {
  const files = new Map<string, SiteFile>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const url = `/${relative(root, path).split(sep).join('/')}`;
      const body = readFileSync(path);
      const type = TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
      const file: SiteFile = {
        body,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        cacheControl: url.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      };
      if (COMPRESSIBLE.test(type) && body.length > 1024) file.gzip = gzipSync(body, { level: 9 });
      files.set(url, file);
    }
  };
  walk(root);
  if (!files.has('/index.html')) throw new Error(`no index.html in ${root}: not a built console`);
  return files;
}
