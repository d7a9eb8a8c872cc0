import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleServer } from '../server/server';

let root: string;
let web: Server;
let api: Server;
let base: string;
const apiSeen: Array<{ method: string; url: string; xff: string | undefined; body: string }> = [];
const bigScript = `console.log(${JSON.stringify('x'.repeat(5000))});`;

const listen = (s: Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

/** A GET that leaves the body as sent (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'console-site-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), bigScript);
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      apiSeen.push({ method: req.method ?? '', url: req.url ?? '', xff: req.headers['x-forwarded-for'] as string | undefined, body });
      res.writeHead(201, { 'content-type': 'application/json', 'content-range': 'tweets 0-0/1', 'set-cookie': 'et_session=abc; HttpOnly' }).end('{"ok":true}');
    });
  });
  const apiUrl = await listen(api);
  web = createConsoleServer({ root, apiUrl });
  base = await listen(web);
});
afterAll(async () => {
  await new Promise((r) => web?.close(r));
  await new Promise((r) => api?.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe('console web server (the admin-web image)', () => {
  it('serves index.html with no-cache and the security headers, CSP included', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(await res.text()).toContain('<title>console</title>');
  });

  it('caches hashed assets for a year, compresses them, and answers 304 to a matching ETag', async () => {
    const res = await rawGet(`${base}/assets/index-abc123.js`, { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString()).toBe(bigScript);
    const plain = await rawGet(`${base}/assets/index-abc123.js`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(bigScript);
    const again = await fetch(`${base}/assets/index-abc123.js`, { headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it('answers client-side routes with the app (SPA fallback) but a missing asset with 404, never HTML', async () => {
    const route = await fetch(`${base}/members/123/show`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toContain('<title>console</title>');
    const missing = await fetch(`${base}/assets/gone-999.js`, { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/);
    const post = await fetch(`${base}/members`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('passes /api, /auth and /connect to the admin API with method, body, headers and the client address', async () => {
    const res = await fetch(`${base}/api/tweets?range=[0,0]`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-range')).toBe('tweets 0-0/1');
    expect(res.headers.get('set-cookie')).toContain('et_session=abc');
    expect(await res.json()).toEqual({ ok: true });
    await fetch(`${base}/auth/me`);
    await fetch(`${base}/connect/x/start?ticket=t`);
    expect(apiSeen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/tweets?range=[0,0]', 'GET /auth/me', 'GET /connect/x/start?ticket=t']);
    expect(apiSeen[0]!.body).toBe('{"a":1}');
    expect(apiSeen[0]!.xff).toBe('127.0.0.1');
  });

  it('answers 502 when the admin API is down, and /healthz regardless', async () => {
    const down = createConsoleServer({ root, apiUrl: 'http://127.0.0.1:9' });
    const url = await listen(down);
    try {
      expect((await fetch(`${url}/api/overview`)).status).toBe(502);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    } finally {
      await new Promise((r) => down.close(r));
    }
  });
});
