import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './headers';
import { loadSite, REVALIDATE, type SiteFile } from './site';

/** Paths that belong to the admin API; the Ingress routes them there, and so does this server when it knows the API's URL. */
export const API_PREFIXES = ['/api/', '/auth/', '/connect/'];

export interface ConsoleServerOptions {
  /** Folder of the built console (vite's dist). */
  root: string;
  /** Base URL of the admin API for API_PREFIXES (no Ingress in front); unset: those paths answer 404. */
  apiUrl?: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const isApiPath = (path: string) => API_PREFIXES.some((p) => path.startsWith(p) || `${path}/` === p);

/**
 * The console's web server: the built react-admin app from memory with SPA fallback (any other
 * path that asks for HTML gets index.html), year-long caching of hashed assets, no-cache on
 * index.html, gzip when accepted, security headers on every answer, /healthz, and optionally a
 * pass-through of the API paths to the admin API.
 */
export function createConsoleServer(opts: ConsoleServerOptions): Server {
  const site = loadSite(opts.root);
  const index = site.get('/index.html')!;
  const api = opts.apiUrl ? new URL(opts.apiUrl) : undefined;
  const log = opts.log ?? (() => {});

  const send = (req: IncomingMessage, res: ServerResponse, file: SiteFile, cacheControl = file.cacheControl): void => {
    res.setHeader('content-type', file.type);
    res.setHeader('cache-control', cacheControl);
    res.setHeader('etag', file.etag);
    res.setHeader('vary', 'accept-encoding');
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304).end();
      return;
    }
    const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip! : file.body;
    if (gzip) res.setHeader('content-encoding', 'gzip');
    res.setHeader('content-length', body.length);
    res.writeHead(200).end(req.method === 'HEAD' ? undefined : body);
  };

  const proxy = (req: IncomingMessage, res: ServerResponse, target: URL): void => {
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': String(req.headers['x-forwarded-proto'] ?? 'http'), 'x-forwarded-host': String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '') } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      log('warn', 'admin API unreachable', { err: err.message });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"admin API unreachable"}');
      else res.destroy();
    });
    req.pipe(upstream);
  };

  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://console').pathname);
    if (api && isApiPath(path)) return proxy(req, res, api);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (path === '/healthz' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = path === '/' ? index : site.get(path);
    if (file) return send(req, res, file, file === index ? REVALIDATE : file.cacheControl);
    // Client-side routes get the app; a missing asset or API path gets a plain 404, never HTML.
    const wantsHtml = /text\/html/.test(String(req.headers.accept ?? '')) && !path.startsWith('/assets/') && !isApiPath(path);
    if (wantsHtml) return send(req, res, index, REVALIDATE);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('not found\n');
  });
}
